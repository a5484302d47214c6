import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { machineDecider, type MachineCommand, type MachineData, type MachineEvent } from '../../shared/domain/machine.js';
import { spec } from '../support/given-when-then.js';

const data: MachineData = { tenantId: 't-1', machineId: 'web-01', name: 'Web server', volumes: [{ name: 'sda', sizeBytes: 1 << 30 }] };
const register = (d: MachineData = data): MachineCommand => ({ type: 'RegisterMachine', data: d });
const registered: MachineEvent = { type: 'MachineRegistered', data };
const machine = () => spec(machineDecider);

describe('machine decider: RegisterMachine', () => {
  it('registers a new machine', () => {
    const state = machine().given([]).when(register()).then([registered]);
    assert.ok(state.status === 'registered');
    assert.deepEqual(state.machine, data);
  });

  it('is idempotent: the same description again appends nothing', () => {
    machine().given([registered]).when(register()).then([]);
  });

  it('replaces the description when it changed (PUT semantics)', () => {
    const changed: MachineData = { ...data, volumes: [...data.volumes, { name: 'sdb', sizeBytes: 4096 }] };
    const state = machine().given([registered]).when(register(changed)).then([{ type: 'MachineUpdated', data: changed }]);
    assert.ok(state.status === 'registered');
    assert.equal(state.machine.volumes.length, 2);
  });

  it('is idempotent after an update too', () => {
    const renamed: MachineData = { ...data, name: 'Web' };
    machine().given([registered, { type: 'MachineUpdated', data: renamed }]).when(register(renamed)).then([]);
  });

  it('refuses an empty or overlong name', () => {
    machine().given([]).when(register({ ...data, name: ' ' })).thenThrows('invalid', /name/);
    machine().given([]).when(register({ ...data, name: 'x'.repeat(129) })).thenThrows('invalid', /name/);
  });

  it('refuses duplicate volume names and bad sizes', () => {
    machine().given([]).when(register({ ...data, volumes: [{ name: 'a', sizeBytes: 1 }, { name: 'a', sizeBytes: 2 }] })).thenThrows('invalid', /twice/);
    for (const sizeBytes of [-1, 0.5, Number.NaN, 2 ** 53]) {
      machine().given([]).when(register({ ...data, volumes: [{ name: 'a', sizeBytes }] })).thenThrows('invalid', /sizeBytes/);
    }
  });

  it('refuses volume names outside the id rule (they become file names at restore)', () => {
    for (const name of ['../../x', 'a/b', 'a\u0000b', '.', '..', '', 'x'.repeat(65), 'a b', 'é']) {
      machine().given([]).when(register({ ...data, volumes: [{ name, sizeBytes: 1 }] })).thenThrows('invalid', /volume name/);
      machine().given([registered]).when(register({ ...data, volumes: [{ name, sizeBytes: 1 }] })).thenThrows('invalid', /volume name/);
    }
    machine().given([]).when(register({ ...data, volumes: [{ name: 'x'.repeat(64), sizeBytes: 1 }, { name: 'a.b_c-9', sizeBytes: 1 }] }))
      .then([{ type: 'MachineRegistered', data: { ...data, volumes: [{ name: 'x'.repeat(64), sizeBytes: 1 }, { name: 'a.b_c-9', sizeBytes: 1 }] } }]);
  });

  it('refuses more than 64 volumes', () => {
    const volumes = Array.from({ length: 65 }, (_, i) => ({ name: `v${i}`, sizeBytes: 1 }));
    machine().given([]).when(register({ ...data, volumes })).thenThrows('invalid', /at most 64/);
  });

  it('refuses a command for another machine on this stream', () => {
    machine().given([registered]).when(register({ ...data, machineId: 'other' })).thenThrows('conflict');
    machine().given([registered]).when(register({ ...data, tenantId: 't-2' })).thenThrows('conflict');
  });
});

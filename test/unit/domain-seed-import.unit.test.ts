import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seedImportDecider, type SeedImportEvent, type SeedImportProgressedData } from '../../shared/domain/seed-import.js';
import { spec } from '../support/given-when-then.js';

const asked = { importId: 'seed-1', tenantId: 't1', prefix: 'web-01', requestedBy: 'admin:ad01' };
const requested: SeedImportEvent = { type: 'SeedImportRequested', data: asked };
const step = (phase: SeedImportProgressedData['phase'], filesDone: number): SeedImportProgressedData =>
  ({ importId: 'seed-1', tenantId: 't1', phase, filesDone, filesTotal: 10, bytesDone: filesDone * 100, bytesTotal: 1000, seedId: 'seed-x', machineId: 'm1' });
const progressed = (phase: SeedImportProgressedData['phase'], n: number): SeedImportEvent => ({ type: 'SeedImportProgressed', data: step(phase, n) });
const completedData = { importId: 'seed-1', tenantId: 't1', seedId: 'seed-x', machineId: 'm1', rpIds: ['rp-1'], files: 10, bytes: 1000, storedBytes: 900 };
const completed: SeedImportEvent = { type: 'SeedImportCompleted', data: completedData };
const failedData = { importId: 'seed-1', tenantId: 't1', reason: '1 bad file', problems: [{ file: 'medium-01/000001.dseed', problem: 'corrupt' }] };
const failed: SeedImportEvent = { type: 'SeedImportFailed', data: failedData };

describe('seed import decider (stream seed:<importId>)', () => {
  it('is requested once', () => {
    spec(seedImportDecider).given([]).when({ type: 'RequestSeedImport', data: asked }).then([requested]);
    spec(seedImportDecider).given([requested]).when({ type: 'RequestSeedImport', data: asked }).then([]);
  });

  it('records progress forward only: a redelivered step appends nothing', () => {
    spec(seedImportDecider).given([requested]).when({ type: 'RecordSeedImportProgress', data: step('verify', 4) }).then([progressed('verify', 4)]);
    spec(seedImportDecider).given([requested, progressed('verify', 4)]).when({ type: 'RecordSeedImportProgress', data: step('verify', 4) }).then([]);
    spec(seedImportDecider).given([requested, progressed('store', 2)]).when({ type: 'RecordSeedImportProgress', data: step('verify', 9) }).then([]);
    spec(seedImportDecider).given([requested, progressed('verify', 10)]).when({ type: 'RecordSeedImportProgress', data: step('store', 1) }).then([progressed('store', 1)]);
    spec(seedImportDecider).given([requested]).when({ type: 'RecordSeedImportProgress', data: { ...step('verify', 4), filesDone: 11 } }).thenThrows('invalid', /past its total/);
  });

  it('refuses progress, completion or failure of an import never asked for', () => {
    spec(seedImportDecider).given([]).when({ type: 'RecordSeedImportProgress', data: step('verify', 1) }).thenThrows('not-found');
    spec(seedImportDecider).given([]).when({ type: 'CompleteSeedImport', data: completedData }).thenThrows('not-found');
    spec(seedImportDecider).given([]).when({ type: 'FailSeedImport', data: failedData }).thenThrows('not-found');
  });

  it('completes once; a failed import never completes', () => {
    const state = spec(seedImportDecider).given([requested, progressed('store', 10)]).when({ type: 'CompleteSeedImport', data: completedData }).then([completed]);
    assert.equal(state.status, 'completed');
    spec(seedImportDecider).given([requested, completed]).when({ type: 'CompleteSeedImport', data: completedData }).then([]);
    spec(seedImportDecider).given([requested, failed]).when({ type: 'CompleteSeedImport', data: completedData }).thenThrows('conflict');
  });

  it('fails once, with a reason, and only while running; nothing moves after the end', () => {
    const state = spec(seedImportDecider).given([requested]).when({ type: 'FailSeedImport', data: failedData }).then([failed]);
    assert.deepEqual(state.status === 'failed' && state.failed.problems, failedData.problems);
    spec(seedImportDecider).given([requested, failed]).when({ type: 'FailSeedImport', data: failedData }).then([]);
    spec(seedImportDecider).given([requested, completed]).when({ type: 'FailSeedImport', data: failedData }).then([]);
    spec(seedImportDecider).given([requested]).when({ type: 'FailSeedImport', data: { ...failedData, reason: ' ' } }).thenThrows('invalid');
    spec(seedImportDecider).given([requested, completed]).when({ type: 'RecordSeedImportProgress', data: step('store', 10) }).then([]);
  });
});

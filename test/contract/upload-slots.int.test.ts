/**
 * The UploadSlots port (shared/ports/upload-slots.ts; issue 13, item 3), one contract for its
 * adapters: the in-process counter (`drcore serve`) and the DynamoDB leases shared by the
 * replication API's Lambda instances (on dynalite). Beyond the contract, the DynamoDB leases:
 * a crashed holder's slot is free once its lease expires, and its late release frees nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDbUploadSlots } from '../../shared/adapters/aws/dynamodb-upload-slots.js';
import type { AwsClients } from '../../shared/adapters/aws/clients.js';
import { InProcessUploadSlots } from '../../shared/adapters/local/in-process-upload-slots.js';
import type { UploadSlots } from '../../shared/ports/upload-slots.js';
import { awsClients, createReadModelTable, startEmulators, type Emulators } from '../support/emulators.js';

const LEASE = 60_000;

function uploadSlotsContract(name: string, make: () => Promise<UploadSlots>): void {
  describe(`UploadSlots contract: ${name}`, () => {
    it('gives at most `limit` slots of a tenant at once, even to concurrent callers', async () => {
      const slots = await make();
      const got = await Promise.all(Array.from({ length: 10 }, () => slots.acquire('t-a', 3, LEASE)));
      assert.equal(got.filter((s) => s !== undefined).length, 3);
      assert.equal(await slots.acquire('t-a', 3, LEASE), undefined, 'full');
    });

    it('counts each tenant on its own', async () => {
      const slots = await make();
      assert.ok(await slots.acquire('t-b', 1, LEASE));
      assert.equal(await slots.acquire('t-b', 1, LEASE), undefined);
      assert.ok(await slots.acquire('t-c', 1, LEASE), 'another tenant is not limited by t-b');
    });

    it('a released slot can be taken again; release is idempotent (frees one slot once)', async () => {
      const slots = await make();
      const one = (await slots.acquire('t-d', 2, LEASE))!;
      const two = (await slots.acquire('t-d', 2, LEASE))!;
      assert.ok(one && two);
      await one.release();
      await one.release();
      const three = await slots.acquire('t-d', 2, LEASE);
      assert.ok(three, 'the freed slot');
      assert.equal(await slots.acquire('t-d', 2, LEASE), undefined, 'a second release freed nothing more');
      await two.release();
      await three.release();
    });
  });
}

uploadSlotsContract('InProcessUploadSlots', () => Promise.resolve(new InProcessUploadSlots()));

let started: Promise<{ emulators: Emulators; clients: AwsClients }> | undefined;
const env = () => (started ??= startEmulators().then((emulators) => ({ emulators, clients: awsClients(emulators.endpoints) })));
after(async () => {
  if (started === undefined) return;
  const { emulators, clients } = await started;
  clients.destroy();
  await emulators.stop();
});

uploadSlotsContract('DynamoDbUploadSlots on dynalite (leases in the read-model table)', async () => {
  const { clients } = await env();
  return new DynamoDbUploadSlots({ client: clients.dynamodb, tableName: await createReadModelTable(clients.dynamodb) });
});

describe('DynamoDbUploadSlots: leases', () => {
  let slots: DynamoDbUploadSlots;
  let now = Date.parse('2026-12-01T16:00:00Z');
  before(async () => {
    const { clients } = await env();
    slots = new DynamoDbUploadSlots({ client: clients.dynamodb, tableName: await createReadModelTable(clients.dynamodb), clock: () => now });
  });

  it('a slot whose holder died is free once its lease expired, and the old holder\'s late release does not free the new lease', async () => {
    const dead = (await slots.acquire('t-e', 1, LEASE))!;
    assert.ok(dead);
    now += LEASE - 1;
    assert.equal(await slots.acquire('t-e', 1, LEASE), undefined, 'still leased');
    now += 1;
    const next = await slots.acquire('t-e', 1, LEASE);
    assert.ok(next, 'the expired lease is taken over');
    await dead.release();
    assert.equal(await slots.acquire('t-e', 1, LEASE), undefined, 'the new lease still holds the slot');
    await next.release();
    assert.ok(await slots.acquire('t-e', 1, LEASE));
  });

  it('refuses a limit it cannot keep', async () => {
    await assert.rejects(slots.acquire('t-f', 0, LEASE), RangeError);
  });
});

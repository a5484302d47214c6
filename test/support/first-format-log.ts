import { DatabaseSync } from 'node:sqlite';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { chainEvents } from '../../shared/events/chain.js';
import type { NewEvent } from '../../shared/events/envelope.js';

const ev = (type: string, data: Record<string, unknown>): NewEvent => ({ type, data, at: '2026-03-01T12:00:00.000Z', actor: 'system:workflow' });

/** The streams of a log drcore wrote with the first stream-id format (`kind-id[-id]`), in log order. */
export const FIRST_FORMAT_STREAMS = ['pairing-req-1', 'tenant-t-1', 'machine-t-1-web-01', 'rp-t-1-rp-1'] as const;

/**
 * Writes `file` as drcore wrote its event log before stream ids took the form kind:id: the
 * same table, hash-chained events, stream ids joined with '-' (the store refuses those now,
 * so the rows go in through SQL). Every chain verifies.
 */
export async function writeFirstFormatLog(file: string): Promise<void> {
  await SqliteEventStore.open(file).close(); // the schema
  const [pairing, tenant, machine, rp] = FIRST_FORMAT_STREAMS;
  const events = [
    ...chainEvents(pairing, undefined, [ev('PairingRequested', { requestId: 'req-1', coreName: 'Acme', email: 'ops@acme.example' })]),
    ...chainEvents(tenant, undefined, [ev('TenantCreated', { tenantId: 't-1', quotaBytes: 1000, pairingRequestId: 'req-1' })]),
    ...chainEvents(machine, undefined, [ev('MachineRegistered', { tenantId: 't-1', machineId: 'web-01' })]),
    ...chainEvents(rp, undefined, [ev('RecoveryPointCommitted', { tenantId: 't-1', machineId: 'web-01', rpId: 'rp-1' })]),
  ];
  const db = new DatabaseSync(file);
  try {
    const insert = db.prepare('INSERT INTO events (stream_id, version, type, data, at, actor, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const e of events) insert.run(e.streamId, e.version, e.type, JSON.stringify(e.data), e.at, e.actor, e.prevHash, e.hash);
  } finally {
    db.close();
  }
}

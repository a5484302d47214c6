/**
 * The catalog phase: every committed RP of every tenant, from the event log, into the tenants'
 * catalogs (`gc-catalog/<tenantId>`, id = rpId), so a run lists a tenant's RPs without reading
 * the whole log again. The log is read from a shared checkpoint to its end, in pages; the
 * position reached is the run's mark cursor: what was appended after it, the re-mark reads.
 * Idempotent (an entry is put once, never over a `collected` one); concurrent runs of two
 * tenants both read on from the checkpoint, and a checkpoint left behind only means reading again.
 */
import type { RecoveryPointCommittedData } from '../../../domain/recovery-point.js';
import { streamKindOf } from '../../../ids.js';
import { count } from './gc-context.js';
import { CATALOG_CHECKPOINT, catalogCollection, type CatalogEntry } from './gc-keys.js';
import type { Phase } from './phase.js';

const LOG_PAGE = 1000;

export interface CatalogCursor { after?: string }

export const catalogPhase: Phase<CatalogCursor> = async (ctx, cursor) => {
  const { events, operational } = ctx.deps;
  let after = cursor ? cursor.after : await operational.getCheckpoint(CATALOG_CHECKPOINT);
  for (let read = 0; read < ctx.limits.catalogEvents;) {
    const page = await events.readAll(after, LOG_PAGE);
    for (const e of page.events) {
      after = e.position;
      if (e.type !== 'RecoveryPointCommitted' || streamKindOf(e.streamId) !== 'rp') continue;
      const d = e.data as RecoveryPointCommittedData;
      const collection = catalogCollection(d.tenantId);
      if ((await operational.get<CatalogEntry>(collection, d.rpId)) === undefined) await operational.put<CatalogEntry>(collection, d.rpId, { machineId: d.machineId });
      if (d.tenantId === ctx.tenantId) count(ctx, 'catalogedRps');
    }
    read += page.events.length;
    if (page.events.length === 0 || page.next === undefined) {
      if (after !== undefined) {
        await operational.putCheckpoint(CATALOG_CHECKPOINT, after);
        ctx.carry.markCursor = after;
      }
      return { done: true };
    }
  }
  return { cursor: after !== undefined ? { after } : {} };
};

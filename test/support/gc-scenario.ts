/**
 * A tenant's storage as GC meets it, for the GC integration tests (test/int/gc*.int.test.ts):
 * the replication-api harness with a clock the test moves (the handlers' and GC's deps clock;
 * stored objects keep the store's own time, so "now + 2 days" makes every object 2 days old),
 * on the local adapters or the AWS adapters against the emulators; RPs stored through the API
 * with the packs each upload stored recorded (the oracle of what a purge leaves unreferenced);
 * purges appended to an RP's stream as the retention job appends them.
 * (A support module, no tests.)
 */
import assert from 'node:assert/strict';
import { storageUsage } from '../../shared/app/replication/storage-quota.js';
import { packKey } from '../../shared/app/replication/storage.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { encodePack, type EncodedPack } from '../../shared/format/index.js';
import { streams } from '../../shared/ids.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { awsHarnessAdapters } from './aws-harness-adapters.js';
import { buildRp, packsOf, startHarness, type BuiltRp, type Harness, type HarnessAdapters } from './replication-api-harness.js';

export const DAY_MS = 86_400_000;

/** The clock every handler and GC reads: real time plus `offsetMs`. */
export interface TestClock { offsetMs: number; now(): Date }
export const testClock = (): TestClock => {
  const c: TestClock = { offsetMs: 0, now: () => new Date(Date.now() + c.offsetMs) };
  return c;
};

export interface GcHarness { h: Harness; clock: TestClock }

/** The local adapters (SQLite, files) with the test clock. */
export async function localGcHarness(quotaBytes = 1 << 30): Promise<GcHarness> {
  const clock = testClock();
  const adapters: HarnessAdapters = { deps: (dir) => Object.assign(localDeps(dir), { clock: clock.now }), close: async () => {} };
  return { h: await startHarness(quotaBytes, adapters), clock };
}

/**
 * The AWS adapters on fresh emulators: dynalite (appends 'emulated-sequential', still
 * conditional on the stream version) and s3rver behind the shim that answers If-None-Match as S3
 * does (create-once packs). s3rver fails any listing it must cut into pages: every listing here
 * stays under 1000 objects.
 */
export async function awsGcHarness(quotaBytes = 1 << 30): Promise<GcHarness> {
  const clock = testClock();
  return { h: await startHarness(quotaBytes, await awsHarnessAdapters(clock.now)), clock };
}

export interface StoredPack { id: string; bytes: number }

/** Uploads the RP's chunks as packs of `perPack` (or the given packs) under rpId; returns what each upload stored anew. */
export async function uploadRp(h: Harness, tenant: string, machine: string, rpId: string, rp: BuiltRp, packs: EncodedPack[] = packsOf(rp.chunks.values(), 3)): Promise<StoredPack[]> {
  const stored: StoredPack[] = [];
  for (const p of packs) {
    const r = await h.call(tenant, 'PUT', `/v1/machines/${machine}/recovery-points/${rpId}/packs/${p.id}`, p.bytes);
    assert.ok(r.status === 201 || r.status === 200, `pack upload: ${r.status} ${r.body.toString()}`);
    if (r.json['created']) stored.push({ id: p.id, bytes: p.bytes.length });
  }
  return stored;
}

export async function commitRp(h: Harness, tenant: string, machine: string, rpId: string, rp: BuiltRp, parentRpId?: string): Promise<void> {
  const r = await h.call(tenant, 'POST', `/v1/machines/${machine}/recovery-points/${rpId}/commit`, {
    kind: rp.kind, manifest: rp.manifest, volumes: rp.volumes, ...(parentRpId ? { parentRpId } : {}),
  });
  assert.ok(r.status === 201 || r.status === 200, `commit ${rpId}: ${r.status} ${r.body.toString()}`);
}

/** Registers the machine, uploads and commits; returns the packs the RP's uploads stored. */
export async function storeRp(h: Harness, tenant: string, machine: string, rpId: string, rp: BuiltRp, parentRpId?: string): Promise<StoredPack[]> {
  assert.ok([200, 201].includes((await h.call(tenant, 'PUT', `/v1/machines/${machine}`, {})).status));
  const stored = await uploadRp(h, tenant, machine, rpId, rp);
  await commitRp(h, tenant, machine, rpId, rp, parentRpId);
  return stored;
}

/** What the retention job appends when an RP's bin period is over (its event name is shared between the lifecycle jobs). */
export async function purgeRp(deps: AppDeps, tenant: string, rpId: string): Promise<void> {
  const stream = streams.rp(tenant, rpId);
  const version = (await deps.events.readStream(stream)).length;
  await deps.events.append(stream, version, [{ type: 'RecoveryPointPurged', data: { tenantId: tenant, rpId }, at: deps.clock().toISOString(), actor: 'system:retention' }]);
}

export const usedBytes = async (deps: AppDeps, tenant: string): Promise<number> => (await storageUsage(deps, tenant)).usedBytes;
export const packStored = async (deps: AppDeps, tenant: string, packId: string): Promise<boolean> => (await deps.blobs.head(packKey(tenant, packId))) !== undefined;
export const sum = (packs: readonly StoredPack[]): number => packs.reduce((n, p) => n + p.bytes, 0);

/** The tenant's stored packs (every listed object under its packs/). */
export async function listedPacks(deps: AppDeps, tenant: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const key of deps.blobs.list(`tenants/${tenant}/packs/`)) {
    const head = await deps.blobs.head(key);
    out.set(key.slice(`tenants/${tenant}/packs/`.length), head?.size ?? -1);
  }
  return out;
}

export { buildRp, encodePack };

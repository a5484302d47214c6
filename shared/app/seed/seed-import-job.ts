/**
 * The seed import (issue 12, docs/seeding.md), a queued job on the workflow worker:
 *  - `requestSeedImport` (admin API): checks the tenant and that the folder is inside the seed
 *    inbox and holds seed media, appends `SeedImportRequested`; the outbox hands it to the worker.
 *  - `seedImportStep` (worker): one step within a time budget, then `SeedImportProgressed` and the
 *    next step on the queue. Phases: **verify** (the manifest, then every file: size, SHA-256,
 *    decryption, the pack inside; every bad file is named, and a bad seed fails here having stored
 *    nothing), **store** (each pack through the network path's upload — verified again, charged on
 *    the tenant's storage counter, stored once, recorded under its RP), **commit** (each RP through
 *    the commit service: manifest, chunks, parent, quota, index, one `RecoveryPointCommitted`).
 *    Until that commit nothing of the seed is visible. Then the seed id is recorded as imported
 *    (a replay is refused) and `SeedImportCompleted`.
 * A redelivered step repeats harmlessly: uploads and commits are idempotent, progress only moves forward.
 */
import { DomainError } from '../../domain/errors.js';
import type { SeedImportPhase, SeedImportProgressedData, SeedImportState, SeedProblem } from '../../domain/seed-import.js';
import { SeedKeyRefusedError } from '../../ports/errors.js';
import { assertId } from '../../ids.js';
import type { AppDeps } from '../deps.js';
import { seedImportHandler, tenantHandler } from '../handlers.js';
import { SEED_IMPORTS, type SeedImportSummary } from '../projections/seed-imports.js';
import { commitRecoveryPoint } from '../replication/commit-service.js';
import { machineHandler } from '../handlers.js';
import { registerMachine } from '../replication/machine-service.js';
import { uploadPack } from '../replication/pack-service.js';
import { checkSeedFile, importedSeedsCollection, readSeed, type ImportedSeed, type ReadSeed } from './seed-check.js';
import { inboxPrefix, seedInbox } from './seed-inbox.js';

export const SEED_ACTOR_PREFIX = 'system:seed-import';
/** A worker step's budget: the function times out at 30 s (as the verify job's). */
export const SEED_STEP_BUDGET_MS = 20_000;

export interface SeedImportView extends Omit<SeedImportSummary, 'version'> { problems: SeedProblem[] }

/** Admin API: asks for the import of the seed in `from` (inbox-relative) for `tenantId`. */
export async function requestSeedImport(deps: AppDeps, input: { tenantId: string; from: string }, actor: string): Promise<SeedImportView> {
  const tenantId = assertId('tenant id', input.tenantId);
  const prefix = inboxPrefix(deps, input.from);
  const { state } = await tenantHandler.load(deps, tenantId);
  if (state.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} does not exist`);
  const inbox = seedInbox(deps);
  // medium-01's manifest (one request); a seed whose first medium is elsewhere is found by listing (stopping at the first manifest).
  let found = (await inbox.head(`${prefix}/medium-01/seed.json`)) !== undefined;
  if (!found) for await (const key of inbox.list(`${prefix}/`)) if (/\/medium-\d{2,3}\/seed\.json$/.test(key)) { found = true; break; }
  if (!found) throw new DomainError('invalid', `no seed in ${prefix}: expected medium-NN/seed.json below it in the seed inbox`, { reason: 'no-seed' });
  const importId = deps.newId('seed');
  await seedImportHandler(deps, importId, { type: 'RequestSeedImport', data: { importId, tenantId, prefix, requestedBy: actor } }, actor);
  return seedImportStatus(deps, importId);
}

/** The import's state from its stream (consistent right after the request). */
export async function seedImportStatus(deps: AppDeps, importId: string): Promise<SeedImportView> {
  const { state, events } = await seedImportHandler.load(deps, assertId('import id', importId));
  if (state.status === 'none') throw new DomainError('not-found', `no seed import ${importId}`);
  const p = state.progress;
  const base: SeedImportView = {
    importId, tenantId: state.requested.tenantId, prefix: state.requested.prefix, status: state.status, requestedAt: events[0]?.at ?? '',
    requestedBy: state.requested.requestedBy, updatedAt: events.at(-1)?.at ?? '', problems: p?.problems ?? [],
    ...(p ? { phase: p.phase, filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal } : {}),
    ...(p?.seedId ? { seedId: p.seedId } : {}), ...(p?.machineId ? { machineId: p.machineId } : {}),
  };
  if (state.status === 'completed') return { ...base, seedId: state.completed.seedId, machineId: state.completed.machineId, rpIds: state.completed.rpIds, storedBytes: state.completed.storedBytes };
  if (state.status === 'failed') return { ...base, reason: state.failed.reason, problems: state.failed.problems };
  return base;
}

/** Admin API: every import, newest first (projection). */
export async function listSeedImports(deps: AppDeps, tenantId?: string): Promise<Omit<SeedImportSummary, 'version'>[]> {
  const all = await deps.readModels.list<SeedImportSummary>(SEED_IMPORTS);
  return all.filter((s) => tenantId === undefined || s.tenantId === tenantId).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
    .map(({ version: _version, ...s }) => s);
}

type Running = Extract<SeedImportState, { status: 'running' }>;

/** The last imports' seeds as read, per process (a few: one import usually runs at a time). */
const readSeeds = new Map<string, ReadSeed>();
function remember(importId: string, seed: ReadSeed): void {
  readSeeds.delete(importId);
  readSeeds.set(importId, seed);
  while (readSeeds.size > 2) readSeeds.delete(readSeeds.keys().next().value as string);
}

async function fail(deps: AppDeps, s: Running, actor: string, reason: string, problems: SeedProblem[], seedId?: string): Promise<{ done: true }> {
  await seedImportHandler(deps, s.requested.importId, { type: 'FailSeedImport', data: { importId: s.requested.importId, tenantId: s.requested.tenantId, reason, problems, ...(seedId ? { seedId } : {}) } }, actor);
  return { done: true };
}


/** One step of an import; `{ done: false }` when another step should follow. */
export async function seedImportStep(deps: AppDeps, importId: string, options: { budgetMs?: number } = {}): Promise<{ done: boolean }> {
  const actor = `${SEED_ACTOR_PREFIX}:${importId}`;
  const { state } = await seedImportHandler.load(deps, assertId('import id', importId));
  // A step of an import never asked for is a message for nothing: it is refused (the worker dead-letters it, visibly).
  if (state.status === 'none') throw new DomainError('not-found', `no seed import ${importId}`);
  if (state.status !== 'running') return { done: true };
  const started = Date.now();
  const budget = options.budgetMs ?? SEED_STEP_BUDGET_MS;
  const { tenantId, prefix } = state.requested;
  const inbox = seedInbox(deps);
  const last = state.progress;
  // The seed as its first step read and checked it: a warm worker reads the labels of a big seed once, and later steps work on what was verified.
  const cached = last ? readSeeds.get(importId) : undefined;
  const seed = cached ?? await readSeed(deps, inbox, tenantId, prefix);
  if (!cached && seed.problems.length === 0) remember(importId, seed);
  const m = seed.manifest;
  if (!m || (!last && seed.problems.length > 0)) return fail(deps, state, actor, `the seed in ${prefix} is refused: ${seed.problems[0]?.problem ?? 'no manifest'}`, seed.problems, m?.seedId);
  let dataKey: Buffer;
  try {
    dataKey = await deps.ca.unwrapSeedKey(Buffer.from(m.key.wrapped, 'base64'));
  } catch (err) {
    if (!(err instanceof SeedKeyRefusedError)) throw err;
    return fail(deps, state, actor, 'the seed is encrypted to another core: its key does not unwrap with this core\'s CA key', [{ file: `${prefix}/medium-01/seed.json`, problem: 'its data key is not wrapped to this core' }], m.seedId);
  }
  const common = { importId, tenantId, seedId: m.seedId, machineId: m.machineId };
  const progress = async (p: Omit<SeedImportProgressedData, 'importId' | 'tenantId' | 'seedId' | 'machineId'>): Promise<void> => {
    await seedImportHandler(deps, importId, { type: 'RecordSeedImportProgress', data: { ...common, ...p } }, actor);
  };
  // At least one file per step, whatever the budget: every step moves the import forward.
  let moved = false;
  const out = (): boolean => { const over = moved && Date.now() - started >= budget; moved = true; return over; };
  const files = seed.files;
  const bytesTotal = m.media.reduce((n, x) => n + x.bytes, 0);
  const filesTotal = m.media.reduce((n, x) => n + x.files, 0);
  let phase: SeedImportPhase = last?.phase ?? 'verify';
  let cursor = last?.filesDone ?? 0;
  let bytesDone = last?.bytesDone ?? 0;

  if (phase === 'verify') {
    const problems = last ? [...(last.problems ?? [])] : [...seed.mediumProblems];
    while (cursor < files.length && !out()) {
      const f = files[cursor]!;
      const r = await checkSeedFile(inbox, prefix, m, f, dataKey);
      if (!r.ok && problems.length < 100) problems.push({ file: f.path, problem: r.problem });
      cursor++;
      bytesDone += f.size;
    }
    if (cursor < files.length) {
      await progress({ phase, filesDone: cursor, filesTotal, bytesDone, bytesTotal, problems });
      return { done: false };
    }
    if (problems.length === 0 && files.length !== filesTotal) problems.push({ file: `${prefix}/`, problem: `${files.length} files on the media, the manifest says ${filesTotal}` });
    if (problems.length > 0) return fail(deps, state, actor, `${problems.length} bad file(s) in the seed, nothing imported: ${problems.map((p) => p.file).slice(0, 5).join(', ')}`, problems, m.seedId);
    phase = 'store'; cursor = 0; bytesDone = 0;
    await progress({ phase: 'verify', filesDone: filesTotal, filesTotal, bytesDone: bytesTotal, bytesTotal });
    if (out()) return { done: false };
  }

  try {
    if (phase === 'store') {
      if (cursor === 0) {
        const { state: machine } = await machineHandler.load(deps, { tenantId, machineId: m.machineId });
        if (machine.status === 'none') await registerMachine(deps, tenantId, m.machineId, { volumes: m.volumes }, actor);
      }
      while (cursor < files.length && !out()) {
        const f = files[cursor]!;
        const r = await checkSeedFile(inbox, prefix, m, f, dataKey);
        if (!r.ok) return fail(deps, state, actor, `${f.path} changed in the inbox during the import: ${r.problem}`, [{ file: f.path, problem: r.problem }], m.seedId);
        await uploadPack(deps, tenantId, m.machineId, f.rpId, r.packId, r.pack, actor);
        cursor++;
        bytesDone += f.size;
      }
      if (cursor < files.length) {
        await progress({ phase, filesDone: cursor, filesTotal, bytesDone, bytesTotal });
        return { done: false };
      }
      phase = 'commit'; cursor = 0;
      await progress({ phase: 'store', filesDone: filesTotal, filesTotal, bytesDone: bytesTotal, bytesTotal });
    }
    let storedBytes = 0;
    for (const rp of m.rps) {
      const { view } = await commitRecoveryPoint(deps, tenantId, m.machineId, rp.rpId, {
        kind: rp.kind, parentRpId: rp.parentRpId, manifest: rp.manifest, volumes: m.volumes, createdAt: rp.createdAt,
      }, actor);
      storedBytes += view.addedBytes;
    }
    const imported: ImportedSeed = { seedId: m.seedId, importId, importedAt: deps.clock().toISOString(), rpIds: m.rps.map((r) => r.rpId) };
    await deps.operational.put(importedSeedsCollection(tenantId), m.seedId, imported);
    await seedImportHandler(deps, importId, {
      type: 'CompleteSeedImport',
      data: { importId, tenantId, seedId: m.seedId, machineId: m.machineId, rpIds: imported.rpIds, files: filesTotal, bytes: bytesTotal, storedBytes },
    }, actor);
    return { done: true };
  } catch (err) {
    // A refusal of the network path (quota, suspended tenant, a parent not on this core): the import ends with its reason.
    if (err instanceof DomainError && err.code !== 'conflict') return fail(deps, state, actor, err.message, [], m.seedId);
    throw err;
  }
}

/**
 * What a seed import checks before it stores anything (docs/seeding.md "Bad seeds"): the seed
 * manifest (format, signature by a source-core certificate of this core for the tenant asked,
 * wrapped to this core's CA, not imported before), each medium's label (the same medium set),
 * and each file (present, its size, its SHA-256 as listed, it decrypts as this seed's file of
 * that name, the pack inside is valid). Every problem names its file.
 */
import { createHash } from 'node:crypto';
import type { SeedProblem } from '../../domain/seed-import.js';
import { PackFormatError, verifyPack } from '../../format/pack.js';
import {
  certificateSha256, fileListSha256, MEDIUM_FILE, MediumLabel, openSeedFile, SEED_MANIFEST_FILE, SeedFileError, SeedManifest, seedSignatureValid, signerIssuedBy,
  type SeedFile,
} from '../../format/seed.js';
import type { BlobStore } from '../../ports/blob-store.js';
import { NotFoundError } from '../../ports/errors.js';
import { authorize } from '../authorize.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler } from '../handlers.js';

/** OperationalStore: the seeds a tenant has imported, by seed id (replay detection). */
export const importedSeedsCollection = (tenantId: string): string => `seeds/${tenantId}`;
export interface ImportedSeed { seedId: string; importId: string; importedAt: string; rpIds: string[] }

const MAX_PROBLEMS = 100;

export interface ReadSeed {
  manifest?: SeedManifest;
  /** Of the seed as a whole (its manifest): the import fails at once. */
  problems: SeedProblem[];
  /** Of media (missing, another set, an altered file list): reported with the bad files. */
  mediumProblems: SeedProblem[];
  /** The files of the media whose labels check out, in medium order. */
  files: SeedFile[];
}

async function readJson(inbox: BlobStore, key: string): Promise<unknown> {
  return JSON.parse((await inbox.get(key)).toString('utf8')) as unknown;
}

type ManifestRead = { manifest: SeedManifest } | { absent: true } | { problem: string };

async function manifestOn(inbox: BlobStore, prefix: string, medium: string): Promise<ManifestRead> {
  let raw: unknown;
  try { raw = await readJson(inbox, `${prefix}/${medium}/${SEED_MANIFEST_FILE}`); } catch (err) {
    if (err instanceof NotFoundError) return { absent: true };
    if (err instanceof SyntaxError) return { problem: 'not JSON' };
    throw err;
  }
  const parsed = SeedManifest.safeParse(raw);
  if (!parsed.success) return { problem: `not a seed manifest: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim() };
  return { manifest: parsed.data };
}

/**
 * The seed manifest under `prefix` (from its first medium), with the problems of the seed as a
 * whole and of its media. O(media) requests: medium-01's manifest (a listing only when there is
 * none, stopping at the first medium that has one), then each medium's manifest and label.
 */
export async function readSeed(deps: AppDeps, inbox: BlobStore, tenantId: string, prefix: string): Promise<ReadSeed> {
  const problems: SeedProblem[] = [];
  let firstName = 'medium-01';
  let read = await manifestOn(inbox, prefix, firstName);
  if ('absent' in read) {
    for await (const key of inbox.list(`${prefix}/`)) {
      const hit = /^(medium-\d{2,3})\/seed\.json$/.exec(key.slice(prefix.length + 1));
      if (!hit) continue;
      firstName = hit[1]!;
      read = await manifestOn(inbox, prefix, firstName);
      break;
    }
  }
  const first = `${firstName}/${SEED_MANIFEST_FILE}`;
  if ('absent' in read) {
    problems.push({ file: `${prefix}/`, problem: 'no seed here: no medium-NN folder with its seed.json' });
    return { problems, mediumProblems: [], files: [] };
  }
  if ('problem' in read) {
    problems.push({ file: first, problem: read.problem });
    return { problems, mediumProblems: [], files: [] };
  }
  const m = read.manifest;
  const manifestText = JSON.stringify(m);
  /** The media whose folder is in the inbox (a medium with neither manifest nor label is missing). */
  const media = new Set<string>([firstName]);
  for (const medium of m.media) {
    if (medium.name === firstName) continue;
    const other = await manifestOn(inbox, prefix, medium.name);
    const file = `${medium.name}/${SEED_MANIFEST_FILE}`;
    if ('absent' in other) {
      if (await inbox.head(`${prefix}/${medium.name}/${MEDIUM_FILE}`)) { media.add(medium.name); problems.push({ file, problem: 'missing: every medium carries the seed manifest' }); }
      continue;
    }
    media.add(medium.name);
    if ('problem' in other) problems.push({ file, problem: other.problem });
    else if (JSON.stringify(other.manifest) !== manifestText) {
      problems.push({ file, problem: `another seed's manifest (seed ${other.manifest.seedId}, medium set ${other.manifest.mediumSetId}; ${firstName} has seed ${m.seedId}, set ${m.mediumSetId})` });
    }
  }
  if (!seedSignatureValid(m)) problems.push({ file: first, problem: 'the signature does not verify: the manifest was altered, or not signed by its source core' });
  const at = new Date(m.createdAt);
  if (!signerIssuedBy(m.signer.certificatePem, await deps.ca.caCertificatePem(), at)) {
    problems.push({ file: first, problem: 'signed by a certificate this core did not issue: a seed made for another core' });
  } else {
    // The certificate registry's rule, at the time the seed was made: registered, not revoked; its role and tenant.
    const auth = await authorize(deps.events, m.signer.certificatePem, at);
    if (!auth.allow) problems.push({ file: first, problem: `signed by a certificate this core does not accept: ${auth.reason}` });
    else if (auth.role !== 'source-core' || auth.tenantId !== m.tenantId) problems.push({ file: first, problem: `signed by a ${auth.role} certificate of tenant ${auth.tenantId ?? '(none)'}, not by a source core of tenant ${m.tenantId}` });
  }
  if (m.tenantId !== tenantId) problems.push({ file: first, problem: `a seed for tenant ${m.tenantId}, not ${tenantId}` });
  const ours = certificateSha256(await deps.ca.caCertificatePem());
  if (m.target.caSha256 !== ours) problems.push({ file: first, problem: `encrypted to another core (CA SHA-256 ${m.target.caSha256}; this core's is ${ours})` });
  const imported = await deps.operational.get<ImportedSeed>(importedSeedsCollection(tenantId), m.seedId);
  if (imported) problems.push({ file: first, problem: `a replayed seed: seed ${m.seedId} was imported before (import ${imported.importId} at ${imported.importedAt})` });
  for (const rp of m.rps) {
    const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId: rp.rpId });
    if (state.status === 'committed' && !imported) problems.push({ file: first, problem: `a replayed seed: recovery point ${rp.rpId} is already on this core` });
  }
  // Each medium's label and its file list (pinned by the signed manifest): the media of one set.
  const files: SeedFile[] = [];
  const mediumProblems: SeedProblem[] = [];
  for (const medium of m.media) {
    if (!media.has(medium.name)) {
      mediumProblems.push({ file: `${medium.name}/`, problem: `missing: medium ${medium.medium} of ${m.media.length} (${medium.files} files, ${medium.bytes} bytes) is not in the inbox` });
      continue;
    }
    const labelFile = `${medium.name}/${MEDIUM_FILE}`;
    let label: MediumLabel | undefined;
    try {
      const parsed = MediumLabel.safeParse(await readJson(inbox, `${prefix}/${labelFile}`));
      if (parsed.success) label = parsed.data;
      else mediumProblems.push({ file: labelFile, problem: 'not a medium label' });
    } catch (err) {
      if (!(err instanceof NotFoundError) && !(err instanceof SyntaxError)) throw err;
      mediumProblems.push({ file: labelFile, problem: err instanceof NotFoundError ? 'missing' : 'not JSON' });
    }
    if (!label) continue;
    if (label.mediumSetId !== m.mediumSetId || label.seedId !== m.seedId) {
      const why = `from another medium set (${medium.name} is medium ${label.medium} of set ${label.mediumSetId}, seed ${label.seedId}; this seed's set is ${m.mediumSetId})`;
      mediumProblems.push({ file: labelFile, problem: why });
      for (const f of label.files) mediumProblems.push({ file: f.path, problem: why });
      continue;
    }
    if (label.medium !== medium.medium || fileListSha256(label.files) !== medium.listSha256 || label.files.some((f) => f.medium !== medium.medium || !f.path.startsWith(`${medium.name}/`))) {
      mediumProblems.push({ file: labelFile, problem: 'its file list is not the one the signed seed manifest names (altered)' });
      continue;
    }
    files.push(...label.files);
  }
  return { manifest: m, problems: problems.slice(0, MAX_PROBLEMS), mediumProblems: mediumProblems.slice(0, MAX_PROBLEMS), files };
}

export type CheckedFile = { ok: true; pack: Buffer; packId: string; size: number } | { ok: false; problem: string };

/** One seed file: there, its size and SHA-256 as listed, this seed's file of that name, a valid pack. */
export async function checkSeedFile(inbox: BlobStore, prefix: string, m: SeedManifest, f: SeedFile, dataKey: Buffer): Promise<CheckedFile> {
  const key = `${prefix}/${f.path}`;
  const head = await inbox.head(key);
  if (!head) return { ok: false, problem: 'missing' };
  if (head.size !== f.size) return { ok: false, problem: head.size < f.size ? `truncated: ${head.size} of ${f.size} bytes` : `${head.size} bytes, the manifest says ${f.size}` };
  let bytes: Buffer;
  try { bytes = await inbox.get(key); } catch (err) {
    if (err instanceof NotFoundError) return { ok: false, problem: 'missing' };
    throw err;
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== f.sha256) return { ok: false, problem: `corrupt: its SHA-256 is ${sha}, the manifest says ${f.sha256}` };
  let pack: Buffer;
  try { pack = openSeedFile(bytes, dataKey, { seedId: m.seedId, mediumSetId: m.mediumSetId, path: f.path }); } catch (err) {
    if (err instanceof SeedFileError) return { ok: false, problem: err.message };
    throw err;
  }
  try {
    return { ok: true, pack, packId: verifyPack(pack).id, size: bytes.length };
  } catch (err) {
    if (err instanceof PackFormatError) return { ok: false, problem: `the pack inside is not valid: ${err.detail}` };
    throw err;
  }
}

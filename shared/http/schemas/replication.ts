import { z } from 'zod';
import { MAX_CSR_PEM_LENGTH } from '../../pki/csr.js';
import { MAX_VOLUMES } from '../../domain/machine.js';
import { MAX_MISSING_BATCH, RECOVERY_POINT_KINDS, SNAPSHOT_METHODS } from '../../domain/recovery-point.js';
import { ID_PATTERN, isValidId, SHA256_PATTERN } from '../../ids.js';
import { displayText, id } from './pairing.js';

/** Replication request schemas (docs/replication-protocol.md); the source core's requests are typed by them. */

/** The domain's limit on one `missing` request (shared/domain/recovery-point.ts), for the source core's batches. */
export { MAX_MISSING_BATCH };
export type { RecoveryPointKind } from '../../domain/recovery-point.js';

export const sha256 = z.string().regex(SHA256_PATTERN, 'must be 64 lowercase hex characters (SHA-256)');

/** A volume name becomes a file name at restore (NAME.img): the id rule, as for every path part. */
const volumeName = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9._-]{1,64}')
  .refine(isValidId, 'must not be "." or ".."')
  .describe('The id rule [A-Za-z0-9._-]{1,64}, not "." or "..": it becomes the file name NAME.img at restore');

const Volume = z.object({
  name: volumeName,
  sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}).strict();

const Volumes = z.array(Volume).max(MAX_VOLUMES).refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, 'volume names must be unique');

export const RegisterMachineBody = z.object({
  name: displayText(128).optional().describe('Display name; defaults to the machine id'),
  volumes: Volumes.optional(),
}).strict();

export const MissingBody = z.object({
  chunks: z.array(sha256).min(1).max(MAX_MISSING_BATCH).describe(`Chunk ids to ask about, at most ${MAX_MISSING_BATCH}`),
}).strict();

export const ReadChunksBody = z.object({
  chunks: z.array(sha256).min(1).max(MAX_MISSING_BATCH).describe(`Chunk ids to read, at most ${MAX_MISSING_BATCH}; the answer holds the first ones that fit 4 MiB`),
}).strict();

export const UploadsQuery = z.object({
  after: sha256.optional().describe('The `next` of the previous page'),
}).strict();

export const RenewalBody = z.object({
  csr: z.string().max(MAX_CSR_PEM_LENGTH).startsWith('-----BEGIN CERTIFICATE REQUEST-----', 'must be a PEM certificate signing request')
    .describe('PKCS#10 CSR of the new key, PEM (the same rules as at pairing)'),
}).strict();

export const CommitBody = z.object({
  kind: z.enum(RECOVERY_POINT_KINDS),
  parentRpId: id.optional().describe('Required for an incremental, forbidden for a base'),
  manifest: sha256.describe('Id of the manifest root chunk'),
  volumes: Volumes.min(1),
  createdAt: z.iso.datetime({ offset: true }).optional().describe('When the source took the recovery point'),
  snapshot: z.object({
    method: z.enum(SNAPSHOT_METHODS).describe('none: read as it is; reflink: a reflink copy of the image; fsfreeze: the filesystem frozen for the read; lvm: an LVM snapshot'),
    freezeMs: z.number().int().min(0).max(86_400_000).describe('How long the filesystem or the applications (pre/post hooks) were frozen'),
  }).strict().optional().describe('How the source made the recovery point consistent (informational)'),
}).strict();

export const REPLICATION_SCHEMAS = {
  'PUT /v1/machines/{machineId}': { body: RegisterMachineBody },
  'POST /v1/machines/{machineId}/recovery-points/{rpId}/missing': { body: MissingBody },
  'POST /v1/machines/{machineId}/recovery-points/{rpId}/commit': { body: CommitBody },
  'GET /v1/machines/{machineId}/recovery-points/{rpId}/uploads': { query: UploadsQuery },
  'POST /v1/machines/{machineId}/recovery-points/{rpId}/chunks/read': { body: ReadChunksBody },
  'POST /v1/certificate-renewals': { body: RenewalBody },
} as const;

/**
 * The seed format (issue 12): recovery points written to external media on the source, shipped,
 * and imported at the target (docs/seeding.md). A seed is a **medium set**: one folder per medium
 * (`medium-01/`, `medium-02/`, …), each holding
 *  - its seed files `NNNNNN.dseed`: one pack each (shared/format/pack.ts, exactly the bytes the
 *    network path would PUT), encrypted with AES-256-GCM under the seed's random data key, a fresh
 *    96-bit IV per file, the file's seed, medium set and path as additional data (a file moved to
 *    another name, medium set or seed does not decrypt);
 *  - `medium.json`: which medium of which set it is, and its files, each with its size and the
 *    SHA-256 of its bytes as stored;
 *  - `seed.json`: the seed manifest, the same on every medium — tenant, machine, volumes, the RPs
 *    (their commit bodies), each medium with its file count, bytes and the SHA-256 of its file
 *    list (so the manifest stays small whatever the seed's size, and covers every file), the
 *    data key wrapped with RSA-OAEP (SHA-256) to the target core's CA key, and a signature by the
 *    source core's certificate key over all of it.
 * Nothing readable of the data is on a medium: a chunk id or pack id appears only inside the
 * encrypted files. The manifest names what an operator needs to see on a disk: tenant, machine,
 * RP ids and dates, sizes.
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, createSign, createVerify, privateDecrypt, publicEncrypt, randomBytes, constants, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { ID_PATTERN, SHA256_PATTERN } from '../ids.js';

export const SEED_FORMAT = 'drcore-seed/1';
export const SEED_MANIFEST_FILE = 'seed.json';
export const MEDIUM_FILE = 'medium.json';
export const SEED_FILE_MAGIC = Buffer.from('DRS1', 'latin1');
export const SEED_IV_BYTES = 12;
export const SEED_TAG_BYTES = 16;
/** Bytes a seed file adds to its pack: magic, IV, GCM tag. */
export const SEED_FILE_OVERHEAD = SEED_FILE_MAGIC.length + SEED_IV_BYTES + SEED_TAG_BYTES;
export const DATA_KEY_BYTES = 32;
/** The RSA-OAEP label of a wrapped seed key: a CA-key decryption for anything else fails. */
export const SEED_KEY_LABEL = Buffer.from('drcore-seed-key/1');

export const mediumName = (medium: number): string => `medium-${String(medium).padStart(2, '0')}`;
export const seedFileName = (n: number): string => `${String(n).padStart(6, '0')}.dseed`;
export const MEDIUM_NAME_PATTERN = /^medium-\d{2,3}$/;
export const SEED_FILE_PATH_PATTERN = /^medium-\d{2,3}\/\d{6,9}\.dseed$/;

const id = z.string().regex(ID_PATTERN);
const sha = z.string().regex(SHA256_PATTERN);
const b64 = z.string().regex(/^[A-Za-z0-9+/=]{1,4096}$/);

export const SeedRp = z.object({
  rpId: id, kind: z.enum(['base', 'incremental']), parentRpId: id.optional(), manifest: sha, createdAt: z.string().datetime(),
}).strict();
export const SeedFile = z.object({
  path: z.string().regex(SEED_FILE_PATH_PATTERN), medium: z.number().int().min(1).max(999), rpId: id,
  size: z.number().int().min(SEED_FILE_OVERHEAD), sha256: sha,
}).strict();
export const SeedMedium = z.object({
  medium: z.number().int().min(1).max(999), name: z.string().regex(MEDIUM_NAME_PATTERN), files: z.number().int().min(0), bytes: z.number().int().min(0),
  /** SHA-256 of the canonical JSON of the medium label's `files`: the signature covers every file through it. */
  listSha256: sha,
}).strict();

export const SeedManifest = z.object({
  format: z.literal(SEED_FORMAT),
  seedId: id, mediumSetId: id, createdAt: z.string().datetime(),
  tenantId: id, machineId: id,
  volumes: z.array(z.object({ name: id, sizeBytes: z.number().int().min(0) }).strict()).min(1).max(64),
  rps: z.array(SeedRp).min(1).max(64),
  target: z.object({ caSha256: sha }).strict(),
  key: z.object({ algorithm: z.literal('RSA-OAEP-256'), wrapped: b64 }).strict(),
  media: z.array(SeedMedium).min(1).max(999),
  signer: z.object({ certificatePem: z.string().min(1).max(16_384) }).strict(),
  signature: b64,
}).strict();
export type SeedManifest = z.infer<typeof SeedManifest>;
export type SeedFile = z.infer<typeof SeedFile>;
export type UnsignedSeedManifest = Omit<SeedManifest, 'signature'>;

export const MediumLabel = z.object({
  format: z.literal(SEED_FORMAT), seedId: id, mediumSetId: id, medium: z.number().int().min(1).max(999), of: z.number().int().min(1).max(999),
  files: z.array(SeedFile),
}).strict();
export type MediumLabel = z.infer<typeof MediumLabel>;

/** What a medium entry of the manifest pins its label's file list to. */
export const fileListSha256 = (files: readonly SeedFile[]): string => createHash('sha256').update(canonicalJson(files)).digest('hex');

/** JSON with object keys sorted at every level: what the signature covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const signedBytes = (m: UnsignedSeedManifest): Buffer => Buffer.from(`${SEED_FORMAT}\n${canonicalJson(m)}`);

/** Signs the manifest with the source core's certificate key (RSA-SHA256). */
export function signSeedManifest(m: UnsignedSeedManifest, privateKeyPem: string): SeedManifest {
  const signature = createSign('sha256').update(signedBytes(m)).sign(createPrivateKey(privateKeyPem)).toString('base64');
  return { ...m, signature };
}

/** True when the signature is the signer certificate's key's over this manifest. */
export function seedSignatureValid(m: SeedManifest): boolean {
  try {
    const { signature, ...unsigned } = m;
    const key = new X509Certificate(m.signer.certificatePem).publicKey;
    return createVerify('sha256').update(signedBytes(unsigned)).verify(key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The signer's certificate was issued by the CA `caPem` (name and signature) and both were valid at `at`. */
export function signerIssuedBy(certPem: string, caPem: string, at: Date): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    const within = (c: X509Certificate): boolean => Date.parse(c.validFrom) <= at.getTime() && at.getTime() <= Date.parse(c.validTo);
    return ca.ca && cert.checkIssued(ca) && cert.verify(ca.publicKey) && within(cert) && within(ca);
  } catch {
    return false;
  }
}

/** SHA-256 (hex) of a certificate's DER: which core's CA a seed is wrapped to. */
export function certificateSha256(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

/** The data key wrapped to a certificate's RSA key: RSA-OAEP, SHA-256, the seed label. */
export function wrapDataKey(dataKey: Buffer, certificatePem: string): string {
  const key = createPublicKey(new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: SEED_KEY_LABEL }, dataKey).toString('base64');
}

/** The inverse of wrapDataKey with the private key; throws when it was wrapped to another key. */
export function unwrapDataKey(wrapped: Uint8Array, privateKeyPem: string): Buffer {
  const key = privateDecrypt({ key: createPrivateKey(privateKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: SEED_KEY_LABEL }, wrapped);
  if (key.length !== DATA_KEY_BYTES) throw new Error(`a seed data key is ${DATA_KEY_BYTES} bytes, this one ${key.length}`);
  return key;
}

export const newDataKey = (): Buffer => randomBytes(DATA_KEY_BYTES);

const aad = (seedId: string, mediumSetId: string, path: string): Buffer => Buffer.from(`${SEED_FORMAT}|${seedId}|${mediumSetId}|${path}`);

/** A seed file's bytes: magic, IV, AES-256-GCM of the pack, tag. */
export function sealSeedFile(pack: Uint8Array, dataKey: Buffer, ids: { seedId: string; mediumSetId: string; path: string }): Buffer {
  const iv = randomBytes(SEED_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(aad(ids.seedId, ids.mediumSetId, ids.path));
  const body = cipher.update(pack);
  const final = cipher.final();
  return Buffer.concat([SEED_FILE_MAGIC, iv, body, final, cipher.getAuthTag()]);
}

export class SeedFileError extends Error {
  override readonly name = 'SeedFileError';
}

/** The pack inside a seed file; throws SeedFileError when the file is not this seed's file of that path, intact. */
export function openSeedFile(file: Uint8Array, dataKey: Buffer, ids: { seedId: string; mediumSetId: string; path: string }): Buffer {
  if (file.length < SEED_FILE_OVERHEAD || !Buffer.from(file.subarray(0, SEED_FILE_MAGIC.length)).equals(SEED_FILE_MAGIC)) throw new SeedFileError('not a seed file (bad magic or too short)');
  const iv = file.subarray(SEED_FILE_MAGIC.length, SEED_FILE_MAGIC.length + SEED_IV_BYTES);
  const tag = file.subarray(file.length - SEED_TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', dataKey, iv);
  decipher.setAAD(aad(ids.seedId, ids.mediumSetId, ids.path));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(file.subarray(SEED_FILE_MAGIC.length + SEED_IV_BYTES, file.length - SEED_TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new SeedFileError('does not decrypt: not this seed\'s file of this name, or altered', { cause: err });
  }
}

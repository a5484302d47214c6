/**
 * Identifier validation. Every id that reaches a path, an object key or a stream
 * name passes through here first (DESIGN §4, §6).
 */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const SHA256_PATTERN = /^[a-f0-9]{64}$/;

export class InvalidIdError extends Error {
  override readonly name = 'InvalidIdError';
  constructor(readonly kind: string, readonly value: unknown) {
    super(`invalid ${kind}: must match [A-Za-z0-9._-]{1,64} and not be "." or ".."`);
  }
}

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value) && value !== '.' && value !== '..';
}

/** Returns the id unchanged, or throws InvalidIdError. */
export function assertId(kind: string, value: unknown): string {
  if (!isValidId(value)) throw new InvalidIdError(kind, value);
  return value;
}

export function assertSha256(value: unknown): string {
  if (typeof value !== 'string' || !SHA256_PATTERN.test(value)) throw new InvalidIdError('sha256', value);
  return value;
}

/**
 * Stream ids (DESIGN §4): `<kind>:<part>[:<part>]`, e.g. `rp:<tenantId>:<rpId>`. No id contains
 * ':' (ID_PATTERN), so splitting a stream id at ':' gives back exactly the parts it was joined
 * from: different (kind, tenant, id) never give the same stream id, whatever '-' the ids hold,
 * and no id of one tenant can name a stream of another. ':' is an ordinary character in a
 * DynamoDB key, in SQLite text and in an S3 key; in a URL query it goes as is or as %3A.
 */
export const STREAM_SEPARATOR = ':';

/** The parts of each kind of stream, in order; a tenant-scoped stream starts with its tenantId. */
const STREAM_PARTS = {
  pairing: ['requestId'],
  tenant: ['tenantId'],
  cert: ['serial'],
  machine: ['tenantId', 'machineId'],
  rp: ['tenantId', 'rpId'],
  seed: ['importId'],
  enrollment: ['serial', 'windowStart'],
  chunk: ['tenantId', 'chunkId'],
  storage: ['tenantId'],
  renewal: ['tenantId', 'renewalId'],
  verification: ['tenantId', 'rpId'],
  report: ['tenantId', 'reportId'],
  gc: ['tenantId'],
} as const satisfies Record<string, readonly string[]>;

export type StreamKind = keyof typeof STREAM_PARTS;

/** A stream id taken apart: its kind and its validated parts (as STREAM_PARTS names them). */
export interface StreamRef {
  readonly kind: StreamKind;
  readonly parts: readonly string[];
}

function isStreamKind(value: string): value is StreamKind {
  return Object.hasOwn(STREAM_PARTS, value);
}

/** Joins a kind and its parts, each validated, into a stream id. */
export function formatStreamId(ref: StreamRef): string {
  const names: readonly string[] = STREAM_PARTS[ref.kind];
  if (ref.parts.length !== names.length) throw new InvalidIdError(`${ref.kind} stream`, ref.parts);
  return [ref.kind, ...names.map((name, i) => assertId(name, ref.parts[i]))].join(STREAM_SEPARATOR);
}

/** The inverse of formatStreamId: a stream id of a known kind, or InvalidIdError. */
export function parseStreamId(streamId: unknown): StreamRef {
  if (typeof streamId !== 'string') throw new InvalidIdError('streamId', streamId);
  const [kind = '', ...parts] = streamId.split(STREAM_SEPARATOR);
  if (!isStreamKind(kind) || parts.length !== STREAM_PARTS[kind].length || !parts.every(isValidId)) {
    throw new InvalidIdError('streamId', streamId);
  }
  return { kind, parts };
}

/** The kind of a stream id, or undefined when it is not a stream id of a known kind. */
export function streamKindOf(streamId: string): StreamKind | undefined {
  try {
    return parseStreamId(streamId).kind;
  } catch {
    return undefined;
  }
}

/** Stream names (DESIGN §4). Each part is validated before it is joined. */
export const streams = {
  pairing: (requestId: string) => formatStreamId({ kind: 'pairing', parts: [requestId] }),
  tenant: (tenantId: string) => formatStreamId({ kind: 'tenant', parts: [tenantId] }),
  cert: (serial: string) => formatStreamId({ kind: 'cert', parts: [serial] }),
  machine: (tenantId: string, machineId: string) => formatStreamId({ kind: 'machine', parts: [tenantId, machineId] }),
  rp: (tenantId: string, rpId: string) => formatStreamId({ kind: 'rp', parts: [tenantId, rpId] }),
  seed: (importId: string) => formatStreamId({ kind: 'seed', parts: [importId] }),
  /** The tenant's storage counter (shared/domain/storage.ts). */
  storage: (tenantId: string) => formatStreamId({ kind: 'storage', parts: [tenantId] }),
  /** The tenant's garbage-collection runs (shared/domain/gc-run.ts). */
  gc: (tenantId: string) => formatStreamId({ kind: 'gc', parts: [tenantId] }),
  /** The pairing requests one enrollment certificate filed in the rate-limit window starting at `windowStartSeconds` (Unix time). */
  enrollment: (serial: string, windowStartSeconds: number) => {
    if (!Number.isSafeInteger(windowStartSeconds) || windowStartSeconds < 0) throw new InvalidIdError('windowStart', windowStartSeconds);
    return formatStreamId({ kind: 'enrollment', parts: [serial, String(windowStartSeconds)] });
  },
  /** One certificate renewal a tenant's source core asked for (shared/domain/certificate-renewal.ts). */
  renewal: (tenantId: string, renewalId: string) => formatStreamId({ kind: 'renewal', parts: [tenantId, renewalId] }),
  /** What became of one stored chunk of a tenant (its id, a SHA-256, is 64 characters: a valid id part). */
  chunk: (tenantId: string, chunkId: string) => formatStreamId({ kind: 'chunk', parts: [tenantId, chunkId] }),
  /** The verify job's results for one committed RP (shared/domain/verification.ts). */
  verification: (tenantId: string, rpId: string) => formatStreamId({ kind: 'verification', parts: [tenantId, rpId] }),
  /** A signed verification report of a tenant (shared/domain/verification-report.ts). */
  report: (tenantId: string, reportId: string) => formatStreamId({ kind: 'report', parts: [tenantId, reportId] }),
} as const;

/**
 * What an event store accepts as a stream id: a lowercase kind and one or two ids, joined by
 * ':'. The store does not know the kinds (parseStreamId does); it only keeps ids well-formed.
 * A stream id of the first format (`rp-<tenantId>-<rpId>`, no ':') does not match.
 */
export const STREAM_ID_PATTERN = /^[a-z]{1,16}(?::[A-Za-z0-9._-]{1,64}){1,2}$/;
export function isValidStreamId(value: unknown): value is string {
  return typeof value === 'string' && STREAM_ID_PATTERN.test(value) && value.split(STREAM_SEPARATOR).slice(1).every(isValidId);
}
export function assertStreamId(streamId: unknown): string {
  if (!isValidStreamId(streamId)) throw new InvalidIdError('streamId', streamId);
  return streamId;
}

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

/** Stream names (DESIGN §4). Each part is validated before it is joined. */
export const streams = {
  pairing: (requestId: string) => `pairing-${assertId('requestId', requestId)}`,
  tenant: (tenantId: string) => `tenant-${assertId('tenantId', tenantId)}`,
  cert: (serial: string) => `cert-${assertId('serial', serial)}`,
  machine: (tenantId: string, machineId: string) =>
    `machine-${assertId('tenantId', tenantId)}-${assertId('machineId', machineId)}`,
  rp: (tenantId: string, rpId: string) => `rp-${assertId('tenantId', tenantId)}-${assertId('rpId', rpId)}`,
  seed: (importId: string) => `seed-${assertId('importId', importId)}`,
  /** The pairing requests one enrollment certificate filed in the rate-limit window starting at `windowStartSeconds` (Unix time). */
  enrollment: (serial: string, windowStartSeconds: number) => {
    if (!Number.isSafeInteger(windowStartSeconds) || windowStartSeconds < 0) throw new InvalidIdError('windowStart', windowStartSeconds);
    return `enrollment-${assertId('serial', serial)}-${windowStartSeconds}`;
  },
} as const;

/** Stream ids themselves: a prefix and validated parts, joined with '-'. */
export const STREAM_ID_PATTERN = /^[a-z]+-[A-Za-z0-9._-]{1,200}$/;
export function assertStreamId(streamId: unknown): string {
  if (typeof streamId !== 'string' || !STREAM_ID_PATTERN.test(streamId)) throw new InvalidIdError('streamId', streamId);
  return streamId;
}

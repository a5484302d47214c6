/**
 * The ports' own errors. Adapters translate vendor errors into these and keep the
 * vendor error as `cause`, so callers never see an SDK or SQLite error type.
 */
export class PortError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** EventStore.append(): the stream's version is not the expected one (someone appended first). */
export class ConcurrencyError extends PortError {
  constructor(readonly streamId: string, readonly expectedVersion: number, readonly actualVersion: number | undefined, options?: { cause?: unknown }) {
    super(`stream ${streamId}: expected version ${expectedVersion}, found ${actualVersion ?? 'another'}`, options);
  }
}

/**
 * BlobStore.get() of a key that does not exist; a Queue operation on a queue name the adapter
 * was not configured with. (EventStore.readStream() of an unknown stream is [], not this.)
 */
export class NotFoundError extends PortError {}

/**
 * BlobStore.put() found different bytes already stored under the key (create-once), or the key
 * clashes with an existing key's path (an object where a prefix is, or the other way round).
 */
export class BlobConflictError extends PortError {}

/** A transient fault of the backing service (throttling, busy database, timeouts): the caller may retry. */
export class UnavailableError extends PortError {}

/**
 * CertificateAuthority.signCsr(): the CA will not sign this request — its CSR or the subject it
 * would carry is not acceptable. Permanent: the same request is refused every time. `reason`
 * says why in words fit for the requester (no key, no certificate, no stack).
 */
export class CertificateRefusedError extends PortError {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`the certificate authority refused to sign: ${reason}`, options);
  }
}

/** The CA will not unwrap this seed key: it was not wrapped to this core's CA key (permanent). */
export class SeedKeyRefusedError extends PortError {}

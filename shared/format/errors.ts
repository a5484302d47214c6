/**
 * Errors of the replication formats. Each carries a human-readable `detail` fit for the
 * `detail` field of a problem body (DESIGN §6): it never echoes the offending bytes.
 */
export class FormatError extends Error {
  override readonly name: string = 'FormatError';
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** A chunk's bytes are not a well-formed chunk (bad magic, version, kind, codec, length…). */
export class ChunkFormatError extends FormatError {
  override readonly name = 'ChunkFormatError';
}

/** A pack is truncated, oversized, has a malformed index, or a chunk does not match its id. */
export class PackFormatError extends FormatError {
  override readonly name = 'PackFormatError';
}

/** A manifest (or one of its parts) is malformed or inconsistent. */
export class ManifestFormatError extends FormatError {
  override readonly name = 'ManifestFormatError';
}

/** Bytes returned for a chunk id do not hash to that id. */
export class ChunkIntegrityError extends FormatError {
  override readonly name = 'ChunkIntegrityError';
  constructor(readonly expected: string, readonly actual: string) {
    super(`chunk ${expected} failed verification: its bytes hash to ${actual}`);
  }
}

/** A restore chain cannot be resolved (no base, mismatched geometry, unknown volume…). */
export class ChainError extends FormatError {
  override readonly name = 'ChainError';
}

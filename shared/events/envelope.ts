/** An event as a command handler hands it to the store. */
export interface NewEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
  /** ISO-8601 time, passed in by the caller (never read inside a decider). */
  readonly at: string;
  /** Who caused it: `admin:<serial>`, `source-core:<tenantId>`, `system:<worker>`, … */
  readonly actor: string;
}

/** An event as stored: numbered within its stream and hash-chained to its predecessor. */
export interface StoredEvent<T extends string = string, D = unknown> extends NewEvent<T, D> {
  readonly streamId: string;
  /** 1-based, gapless within a stream. */
  readonly version: number;
  /** `hash` of the previous event of the stream, or GENESIS_HASH for version 1. */
  readonly prevHash: string;
  /** SHA-256 (hex) over the canonical form of this event and prevHash. */
  readonly hash: string;
}

/** A stored event with its place in the whole log (readAll cursor). */
export interface PositionedEvent extends StoredEvent {
  /** Opaque, monotonically increasing for the local adapter; an opaque cursor elsewhere. */
  readonly position: string;
}

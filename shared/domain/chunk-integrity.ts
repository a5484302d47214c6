import { assertNever, type Decider } from './decider.js';

/**
 * Chunk integrity aggregate — stream `chunk:<tenantId>:<chunkId>`: what the core found wrong
 * with one stored chunk of a tenant. A read that hashes a chunk's stored bytes to anything but
 * its id records `ChunkCorruptionDetected` here, once per (chunk, pack): reads of the same
 * corrupt copy, concurrent or repeated, append nothing more; a copy in another pack that goes
 * bad later is a new finding.
 *
 * DECISION: a stream of its own, not the tenant stream. The tenant stream carries the tenant's
 * lifecycle (created, suspended, quota); a read there would contend on its version with admin
 * commands and make the tenant decider know storage faults. One stream per chunk keeps the
 * once-per-pack rule a read of a tiny stream, and names the chunk's history where it belongs.
 */
export interface ChunkCorruptionDetectedData {
  tenantId: string;
  chunk: string;
  /** The pack whose copy is corrupt, and the chunk's place in it (from its index record). */
  pack: string;
  offset: number;
  length: number;
  /** What the stored bytes hash to (or, when the record points past the pack's end, the SHA-256 of what is there). */
  actualSha256: string;
}

/** A verified copy of a corrupt chunk arrived (a new pack, or the corrupt pack's object replaced): reads of it are served from there. */
export interface ChunkHealedData { tenantId: string; chunk: string; pack: string; offset: number; length: number }

export type ChunkIntegrityCommand =
  | { type: 'RecordChunkCorruption'; data: ChunkCorruptionDetectedData }
  | { type: 'RecordChunkHealed'; data: ChunkHealedData };

export type ChunkIntegrityEvent =
  | { type: 'ChunkCorruptionDetected'; data: ChunkCorruptionDetectedData }
  | { type: 'ChunkHealed'; data: ChunkHealedData };

export interface ChunkIntegrityState {
  /** Packs whose copy of the chunk was found corrupt. */
  readonly corruptIn: readonly string[];
  /** The pack of the good copy, once healed after the last corruption found. */
  readonly healedIn: string | undefined;
}

export function decide(command: ChunkIntegrityCommand, state: ChunkIntegrityState): ChunkIntegrityEvent[] {
  switch (command.type) {
    case 'RecordChunkCorruption':
      if (state.corruptIn.includes(command.data.pack)) return []; // this copy is already on record
      return [{ type: 'ChunkCorruptionDetected', data: command.data }];
    case 'RecordChunkHealed':
      // Healed once per finding; a healthy chunk heals nothing. The pack may be the corrupt one:
      // its object was replaced by a verified upload of the same pack id.
      if (state.corruptIn.length === 0 || state.healedIn !== undefined) return [];
      return [{ type: 'ChunkHealed', data: command.data }];
    default:
      return assertNever(command);
  }
}

export function evolve(state: ChunkIntegrityState, event: ChunkIntegrityEvent): ChunkIntegrityState {
  switch (event.type) {
    case 'ChunkCorruptionDetected':
      return { corruptIn: [...state.corruptIn, event.data.pack], healedIn: undefined };
    case 'ChunkHealed':
      return { ...state, healedIn: event.data.pack };
    default:
      return assertNever(event);
  }
}

export const initialState = (): ChunkIntegrityState => ({ corruptIn: [], healedIn: undefined });

export const chunkIntegrityDecider: Decider<ChunkIntegrityCommand, ChunkIntegrityEvent, ChunkIntegrityState> = { decide, evolve, initialState };

import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/**
 * Chunk integrity aggregate — stream `chunk:<tenantId>:<chunkId>`: what the core found wrong
 * with one stored chunk of a tenant. A read that hashes a chunk's stored bytes to anything but
 * its id records `ChunkCorruptionDetected` here, once per (chunk, pack): reads of the same
 * corrupt copy, concurrent or repeated, append nothing more; a copy in another pack that goes
 * bad later is a new finding. The verify job's finding is `ChunkCorrupted`, which also names the
 * RPs the bad copy breaks (once per finding, and again when it breaks RPs not named yet).
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

/** What the verify job found wrong with a chunk's stored copy. */
export const CHUNK_PROBLEMS = ['corrupt', 'missing'] as const;
export type ChunkProblem = (typeof CHUNK_PROBLEMS)[number];

/**
 * The verify job (shared/app/lifecycle/verify) re-read a chunk of a committed RP's index and
 * found its copy bad: `corrupt` (its bytes hash to `actualSha256`) or `missing` (the pack
 * object is gone, or ends before the chunk). `rps` are the committed RPs whose restore needs
 * the chunk: `rpId` (whose index holds it) and each descendant that still resolves an extent
 * through it. Until `ChunkHealed`, `missing` lists the chunk and the source re-sends its extent.
 */
export interface ChunkCorruptedData {
  tenantId: string;
  chunk: string;
  pack: string;
  offset: number;
  length: number;
  problem: ChunkProblem;
  actualSha256?: string;
  rpId: string;
  rps: string[];
  /** The verify run that found it. */
  runId: string;
}

/** A verified copy of a corrupt chunk arrived (a new pack, or the corrupt pack's object replaced): reads of it are served from there. */
export interface ChunkHealedData { tenantId: string; chunk: string; pack: string; offset: number; length: number }

export type ChunkIntegrityCommand =
  | { type: 'RecordChunkCorruption'; data: ChunkCorruptionDetectedData }
  | { type: 'RecordChunkHealed'; data: ChunkHealedData }
  | { type: 'RecordChunkCorrupted'; data: ChunkCorruptedData };

export type ChunkIntegrityEvent =
  | { type: 'ChunkCorruptionDetected'; data: ChunkCorruptionDetectedData }
  | { type: 'ChunkHealed'; data: ChunkHealedData }
  | { type: 'ChunkCorrupted'; data: ChunkCorruptedData };

export interface ChunkIntegrityState {
  /** Packs whose copy of the chunk was found corrupt. */
  readonly corruptIn: readonly string[];
  /** The pack of the good copy, once healed after the last corruption found. */
  readonly healedIn: string | undefined;
  /** RPs the verify job named broken by the current finding (cleared when healed). */
  readonly brokenRps: readonly string[];
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
    case 'RecordChunkCorrupted': {
      const d = command.data;
      if (d.problem === 'corrupt' && d.actualSha256 === undefined) throw new DomainError('invalid', 'a corrupt chunk names what its bytes hash to');
      if (!d.rps.includes(d.rpId)) throw new DomainError('invalid', `the RP whose index holds the chunk (${d.rpId}) is among the RPs it breaks`);
      // Once per finding: the same bad copy breaking no RP not named yet appends nothing (a verify run repeated, or redelivered).
      const known = state.healedIn === undefined && state.corruptIn.includes(d.pack);
      if (known && d.rps.every((rp) => state.brokenRps.includes(rp))) return [];
      return [{ type: 'ChunkCorrupted', data: d }];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: ChunkIntegrityState, event: ChunkIntegrityEvent): ChunkIntegrityState {
  switch (event.type) {
    case 'ChunkCorruptionDetected':
      return { ...state, corruptIn: [...state.corruptIn, event.data.pack], healedIn: undefined };
    case 'ChunkCorrupted': {
      const fresh = state.healedIn !== undefined;
      return {
        corruptIn: state.corruptIn.includes(event.data.pack) ? state.corruptIn : [...state.corruptIn, event.data.pack],
        healedIn: undefined,
        brokenRps: [...new Set([...(fresh ? [] : state.brokenRps), ...event.data.rps])],
      };
    }
    case 'ChunkHealed':
      return { ...state, healedIn: event.data.pack, brokenRps: [] };
    default:
      return assertNever(event);
  }
}

export const initialState = (): ChunkIntegrityState => ({ corruptIn: [], healedIn: undefined, brokenRps: [] });

export const chunkIntegrityDecider: Decider<ChunkIntegrityCommand, ChunkIntegrityEvent, ChunkIntegrityState> = { decide, evolve, initialState };

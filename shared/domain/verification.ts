import { assertNever, type Decider } from './decider.js';
import { CHUNK_PROBLEMS, type ChunkProblem } from './chunk-integrity.js';
import { DomainError } from './errors.js';

/**
 * Recovery-point verification aggregate — stream `verification:<tenantId>:<rpId>`: what the
 * verify job (shared/app/lifecycle/verify) found each time it re-read and re-hashed every chunk
 * of one committed RP's index. Its state is the RP's verify state: last verified, and the result.
 *
 * DECISION: events, not an operational record. A verify result is a claim the MSP signs and hands
 * to its customer (the verification report): it belongs in the tamper-evident, anchored log, and
 * the views of it are projections rebuilt from there. Its own stream, not the RP's: a verify run
 * every N days appends one small event per RP, which would lengthen the RP stream that every
 * restore and commit reads, and contend with the RP's lifecycle (retention, the recycle bin).
 * Cost: one event per RP per run (≈ 1 WCU on DynamoDB).
 */
export const VERIFY_RESULTS = ['ok', 'damaged'] as const;
export type VerifyResult = (typeof VERIFY_RESULTS)[number];

/** At most this many bad chunks are named in one result (the count is always exact). */
export const MAX_NAMED_BAD_CHUNKS = 100;

export interface BadChunk { chunk: string; problem: ChunkProblem | 'index' }

export interface RecoveryPointVerifiedData {
  tenantId: string; machineId: string; rpId: string;
  /** The verify run (idempotency: one result per run). */
  runId: string;
  /** When the run started on this RP, and when it finished it. */
  startedAt: string; at: string;
  /** Chunks of the RP's index re-read and re-hashed, and their stored bytes. */
  chunks: number; bytes: number;
  result: VerifyResult;
  badChunks: BadChunk[];
  badChunkCount: number;
  /** SHA-256 over the checksums of the RP's index parts, in order: which chunk list was checked. */
  indexSha256: string;
  /** Why part of the index could not be read (then result is 'damaged'). */
  indexProblem?: string;
}

export interface RecordVerification { type: 'RecordVerification'; data: RecoveryPointVerifiedData }
export type VerificationCommand = RecordVerification;
export type VerificationEvent = { type: 'RecoveryPointVerified'; data: RecoveryPointVerifiedData };

export interface VerificationState {
  readonly last: RecoveryPointVerifiedData | undefined;
  readonly count: number;
}

const count = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function check(d: RecoveryPointVerifiedData): void {
  for (const k of ['chunks', 'bytes', 'badChunkCount'] as const) {
    if (!count(d[k])) throw new DomainError('invalid', `${k} must be a non-negative integer`);
  }
  if (d.badChunks.length > Math.min(d.badChunkCount, MAX_NAMED_BAD_CHUNKS)) throw new DomainError('invalid', 'more bad chunks named than counted');
  if (d.badChunks.some((b) => b.problem !== 'index' && !CHUNK_PROBLEMS.includes(b.problem))) throw new DomainError('invalid', 'unknown chunk problem');
  const damaged = d.badChunkCount > 0 || d.indexProblem !== undefined;
  if ((d.result === 'damaged') !== damaged) throw new DomainError('invalid', `result ${d.result} does not match ${d.badChunkCount} bad chunk(s)${d.indexProblem ? ' and an index problem' : ''}`);
  if (!(d.startedAt <= d.at)) throw new DomainError('invalid', 'a verification ends after it starts');
}

export function decide(command: VerificationCommand, state: VerificationState): VerificationEvent[] {
  switch (command.type) {
    case 'RecordVerification': {
      if (state.last?.runId === command.data.runId) return []; // this run's result is on record (a repeat, a redelivered step)
      check(command.data);
      return [{ type: 'RecoveryPointVerified', data: command.data }];
    }
    default:
      return assertNever(command.type);
  }
}

export function evolve(state: VerificationState, event: VerificationEvent): VerificationState {
  switch (event.type) {
    case 'RecoveryPointVerified':
      return { last: event.data, count: state.count + 1 };
    default:
      return assertNever(event.type);
  }
}

export const initialState = (): VerificationState => ({ last: undefined, count: 0 });
export const verificationDecider: Decider<VerificationCommand, VerificationEvent, VerificationState> = { decide, evolve, initialState };

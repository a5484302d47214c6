/**
 * Where a verify run stands between two steps (each step within one Lambda invocation): the
 * tenant it is in, the last RP it finished there, and how far it got into the RP it is in —
 * index part, last pack checked of that part, and the counts so far. Opaque to its holder (the
 * CLI, the next queue message): base64url of JSON, checked field by field when it comes back.
 */
import { DomainError } from '../../../domain/errors.js';
import { MAX_NAMED_BAD_CHUNKS, type BadChunk } from '../../../domain/verification.js';
import { isValidId, SHA256_PATTERN } from '../../../ids.js';

export interface RpProgress {
  machineId: string; rpId: string; startedAt: string;
  /** The index part being checked, and the last pack of it done (packs go in id order). */
  part: number; packAfter?: string;
  chunks: number; bytes: number; badChunkCount: number; badChunks: BadChunk[];
  /** The checksum of each index part begun (hex), for the result's indexSha256. */
  partSums: string[];
  indexProblem?: string;
}

export interface VerifyCursor {
  tenantId: string;
  /** `machineId/rpId` of the last RP of the tenant finished (RPs go in that order). */
  doneThrough?: string;
  current?: RpProgress;
  /** When the run's next read may start (ms since the epoch): the read rate across steps. */
  paceAt?: number;
}

const invalid = () => new DomainError('invalid', 'not a cursor of a verify run (pass back the `next` of the previous step)');

export const encodeCursor = (c: VerifyCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isHex = (s: unknown): s is string => typeof s === 'string' && SHA256_PATTERN.test(s);

function checkProgress(p: Partial<RpProgress>): RpProgress {
  const ok = isValidId(p.machineId) && isValidId(p.rpId) && typeof p.startedAt === 'string' && !Number.isNaN(Date.parse(p.startedAt))
    && isCount(p.part) && (p.packAfter === undefined || isHex(p.packAfter))
    && isCount(p.chunks) && isCount(p.bytes) && isCount(p.badChunkCount)
    && Array.isArray(p.badChunks) && p.badChunks.length <= MAX_NAMED_BAD_CHUNKS
    && p.badChunks.every((b) => isHex(b?.chunk) && ['corrupt', 'missing', 'index'].includes(b?.problem))
    && Array.isArray(p.partSums) && p.partSums.every(isHex)
    && (p.indexProblem === undefined || (typeof p.indexProblem === 'string' && p.indexProblem.length <= 1000));
  if (!ok) throw invalid();
  return p as RpProgress;
}

export function decodeCursor(text: string): VerifyCursor {
  let c: Partial<VerifyCursor>;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<VerifyCursor>;
  } catch {
    throw invalid();
  }
  if (c === null || typeof c !== 'object' || !isValidId(c.tenantId)) throw invalid();
  if (c.doneThrough !== undefined && !(typeof c.doneThrough === 'string' && c.doneThrough.split('/').length === 2 && c.doneThrough.split('/').every(isValidId))) throw invalid();
  if (c.paceAt !== undefined && !(typeof c.paceAt === 'number' && Number.isFinite(c.paceAt))) throw invalid();
  return { tenantId: c.tenantId, ...(c.paceAt !== undefined ? { paceAt: c.paceAt } : {}), ...(c.doneThrough !== undefined ? { doneThrough: c.doneThrough } : {}), ...(c.current !== undefined ? { current: checkProgress(c.current) } : {}) };
}

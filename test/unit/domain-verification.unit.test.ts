import { describe, it } from 'node:test';
import { verificationDecider, type RecoveryPointVerifiedData, type VerificationEvent } from '../../shared/domain/verification.js';
import { spec } from '../support/given-when-then.js';

const C = 'c'.repeat(64);
const result = (o: Partial<RecoveryPointVerifiedData> = {}): RecoveryPointVerifiedData => ({
  tenantId: 't1', machineId: 'm1', rpId: 'rp-1', runId: 'run-1', startedAt: '2026-05-01T10:00:00.000Z', at: '2026-05-01T10:00:05.000Z',
  chunks: 12, bytes: 4096, result: 'ok', badChunks: [], badChunkCount: 0, indexSha256: 'a'.repeat(64), ...o,
});
const verified = (d: RecoveryPointVerifiedData): VerificationEvent => ({ type: 'RecoveryPointVerified', data: d });

describe('verification decider (stream verification:<tenantId>:<rpId>)', () => {
  it('records a run\'s result', () => {
    spec(verificationDecider).given([]).when({ type: 'RecordVerification', data: result() }).then([verified(result())]);
  });

  it('records one result per run: a repeated step appends nothing', () => {
    spec(verificationDecider).given([verified(result())]).when({ type: 'RecordVerification', data: result({ at: '2026-05-01T10:01:00.000Z' }) }).then([]);
  });

  it('a later run records again', () => {
    const next = result({ runId: 'run-2', result: 'damaged', badChunks: [{ chunk: C, problem: 'corrupt' }], badChunkCount: 1 });
    spec(verificationDecider).given([verified(result())]).when({ type: 'RecordVerification', data: next }).then([verified(next)]);
  });

  it('refuses a result that contradicts its counts', () => {
    spec(verificationDecider).given([]).when({ type: 'RecordVerification', data: result({ badChunkCount: 1, badChunks: [{ chunk: C, problem: 'missing' }] }) }).thenThrows('invalid', /does not match/);
    spec(verificationDecider).given([]).when({ type: 'RecordVerification', data: result({ result: 'damaged' }) }).thenThrows('invalid', /does not match/);
    spec(verificationDecider).given([]).when({ type: 'RecordVerification', data: result({ chunks: -1 }) }).thenThrows('invalid', /chunks/);
    spec(verificationDecider).given([]).when({ type: 'RecordVerification', data: result({ result: 'damaged', badChunkCount: 0, badChunks: [{ chunk: C, problem: 'corrupt' }] }) }).thenThrows('invalid', /more bad chunks/);
  });

  it('an index that could not be read makes the result damaged', () => {
    const d = result({ result: 'damaged', indexProblem: 'index part 0 is missing' });
    spec(verificationDecider).given([]).when({ type: 'RecordVerification', data: d }).then([verified(d)]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkIntegrityDecider, type ChunkCorruptedData, type ChunkCorruptionDetectedData, type ChunkIntegrityCommand, type ChunkIntegrityEvent } from '../../shared/domain/chunk-integrity.js';
import { spec } from '../support/given-when-then.js';

const C = 'c'.repeat(64);
const found = (pack: string): ChunkCorruptionDetectedData => ({ tenantId: 't1', chunk: C, pack, offset: 92, length: 300, actualSha256: 'd'.repeat(64) });
const record = (pack: string): ChunkIntegrityCommand => ({ type: 'RecordChunkCorruption', data: found(pack) });
const detected = (pack: string): ChunkIntegrityEvent => ({ type: 'ChunkCorruptionDetected', data: found(pack) });
const P1 = '1'.repeat(64);
const P2 = '2'.repeat(64);

describe('chunk integrity decider (stream chunk:<tenantId>:<chunkId>)', () => {
  it('records the first finding of a corrupt copy', () => {
    spec(chunkIntegrityDecider).given([]).when(record(P1)).then([detected(P1)]);
  });

  it('records a copy once: another read of the same corrupt copy appends nothing', () => {
    spec(chunkIntegrityDecider).given([detected(P1)]).when(record(P1)).then([]);
  });

  it('a copy in another pack that goes bad later is a new finding', () => {
    spec(chunkIntegrityDecider).given([detected(P1)]).when(record(P2)).then([detected(P2)]);
  });
});

describe('chunk integrity decider: the verify job\'s finding, ChunkCorrupted', () => {
  const corrupted = (pack: string, rps: string[], extra: Partial<ChunkCorruptedData> = {}): ChunkCorruptedData => ({
    tenantId: 't1', chunk: C, pack, offset: 92, length: 300, problem: 'corrupt', actualSha256: 'd'.repeat(64), rpId: 'rp-1', rps, runId: 'run-1', ...extra,
  });
  const verifyFinds = (d: ChunkCorruptedData): ChunkIntegrityCommand => ({ type: 'RecordChunkCorrupted', data: d });
  const event = (d: ChunkCorruptedData): ChunkIntegrityEvent => ({ type: 'ChunkCorrupted', data: d });
  const healed: ChunkIntegrityEvent = { type: 'ChunkHealed', data: { tenantId: 't1', chunk: C, pack: P2, offset: 0, length: 300 } };

  it('names the RPs the bad copy breaks', () => {
    const state = spec(chunkIntegrityDecider).given([]).when(verifyFinds(corrupted(P1, ['rp-1', 'rp-2']))).then([event(corrupted(P1, ['rp-1', 'rp-2']))]);
    assert.deepEqual(state, { corruptIn: [P1], healedIn: undefined, brokenRps: ['rp-1', 'rp-2'] });
  });

  it('a later run that finds the same copy breaking the same RPs appends nothing', () => {
    spec(chunkIntegrityDecider).given([event(corrupted(P1, ['rp-1', 'rp-2']))]).when(verifyFinds(corrupted(P1, ['rp-2', 'rp-1'], { runId: 'run-2' }))).then([]);
  });

  it('names RPs again when the copy breaks one not named yet (an incremental committed on it since)', () => {
    const d = corrupted(P1, ['rp-1', 'rp-2', 'rp-3'], { runId: 'run-2' });
    spec(chunkIntegrityDecider).given([event(corrupted(P1, ['rp-1', 'rp-2']))]).when(verifyFinds(d)).then([event(d)]);
  });

  it('a copy a read found corrupt first is still named by verify, with its RPs; then reads of it append nothing', () => {
    const d = corrupted(P1, ['rp-1']);
    spec(chunkIntegrityDecider).given([detected(P1)]).when(verifyFinds(d)).then([event(d)]);
    spec(chunkIntegrityDecider).given([event(d)]).when(record(P1)).then([]);
  });

  it('a missing chunk (its pack gone) is a finding with no hash of its bytes', () => {
    const d = corrupted(P1, ['rp-1'], { problem: 'missing', actualSha256: undefined });
    delete d.actualSha256;
    spec(chunkIntegrityDecider).given([]).when(verifyFinds(d)).then([event(d)]);
  });

  it('heals it, and after the heal the same copy found bad again is a new finding', () => {
    const state = spec(chunkIntegrityDecider).given([event(corrupted(P1, ['rp-1']))]).when({ type: 'RecordChunkHealed', data: healed.data }).then([healed]);
    assert.deepEqual(state.brokenRps, []);
    const again = corrupted(P1, ['rp-1'], { runId: 'run-3' });
    spec(chunkIntegrityDecider).given([event(corrupted(P1, ['rp-1'])), healed]).when(verifyFinds(again)).then([event(again)]);
  });

  it('refuses a corrupt finding without the hash, and one that does not name the RP holding the chunk', () => {
    const noHash = corrupted(P1, ['rp-1']);
    delete noHash.actualSha256;
    spec(chunkIntegrityDecider).given([]).when(verifyFinds(noHash)).thenThrows('invalid', /hash/);
    spec(chunkIntegrityDecider).given([]).when(verifyFinds(corrupted(P1, ['rp-2']))).thenThrows('invalid', /rp-1/);
  });
});

import { describe, it } from 'node:test';
import { chunkIntegrityDecider, type ChunkCorruptionDetectedData, type ChunkIntegrityCommand, type ChunkIntegrityEvent } from '../../shared/domain/chunk-integrity.js';
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

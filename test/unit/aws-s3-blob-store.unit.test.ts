/**
 * S3BlobStore: the PutObject request and how it reads S3's answers to it.
 *
 * The S3 client is a MOCK (its `send` records commands and answers from a map), because
 * the parts of S3 covered here are exactly what s3rver lacks: it does not verify
 * ChecksumSHA256 (no BadDigest) and ignores If-None-Match (no 412). The answers follow
 * the S3 API reference. The same paths run over HTTP against s3rver (and behind an
 * If-None-Match shim) in test/contract/aws-adapters.int.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BlobIntegrityError, S3BlobStore } from '../../shared/adapters/aws/s3-blob-store.js';
import { BlobConflictError, UnavailableError } from '../../shared/ports/errors.js';

const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

/** MOCK S3: objects in a map; `onPut` may answer a PutObject instead of storing. */
function mockS3(onPut?: (input: PutObjectCommand['input']) => unknown) {
  const objects = new Map<string, Buffer>();
  const sent: unknown[] = [];
  const client = {
    send: (async (command: unknown) => {
      sent.push(command);
      if (command instanceof HeadObjectCommand) {
        const o = objects.get(command.input.Key ?? '');
        if (!o) throw s3Error('NotFound', 404);
        return { ContentLength: o.length };
      }
      if (command instanceof GetObjectCommand) {
        const o = objects.get(command.input.Key ?? '');
        if (!o) throw s3Error('NoSuchKey', 404);
        return { Body: { transformToByteArray: async () => new Uint8Array(o) } };
      }
      if (command instanceof PutObjectCommand) {
        const answer = onPut?.(command.input);
        if (answer !== undefined) return answer;
        objects.set(command.input.Key ?? '', Buffer.from(command.input.Body as Uint8Array));
        return {};
      }
      throw new Error('unexpected command');
    }) as unknown as S3Client['send'],
  };
  const puts = () => sent.filter((c): c is PutObjectCommand => c instanceof PutObjectCommand).map((c) => c.input);
  return { client, objects, puts };
}

describe('S3BlobStore put (MOCK S3 client: s3rver neither verifies ChecksumSHA256 nor honours If-None-Match)', () => {
  it('sends ChecksumSHA256 (base64 of the SHA-256) and If-None-Match: * — S3 rejects a damaged body and refuses to overwrite', async () => {
    const { client, puts } = mockS3();
    const bytes = Buffer.from('pack bytes');
    const digest = createHash('sha256').update(bytes).digest();
    await new S3BlobStore({ client, bucket: 'data', keyPrefix: 'drcore/' }).put('tenants/t1/packs/p1', bytes, { sha256: digest.toString('hex') });
    const [put] = puts();
    assert.equal(put?.Bucket, 'data');
    assert.equal(put?.Key, 'drcore/tenants/t1/packs/p1');
    assert.equal(put?.ChecksumSHA256, digest.toString('base64'));
    assert.equal(put?.IfNoneMatch, '*');
    assert.equal(put?.ChecksumAlgorithm, undefined, 'no SDK-computed checksum (STACK-NOTES: s3rver would store aws-chunked framing)');
    assert.equal(put?.ContentLength, bytes.length);
  });

  it('412 PreconditionFailed (another writer created it between our HEAD and PUT) with the same bytes → created:false', async () => {
    const bytes = Buffer.from('same');
    const mock = mockS3(() => { mock.objects.set('k', bytes); throw s3Error('PreconditionFailed', 412); });
    assert.deepEqual(await new S3BlobStore({ client: mock.client, bucket: 'b' }).put('k', bytes), { created: false });
  });

  it('412 with different bytes → BlobConflictError (cause: the 412), the other writer\'s object kept', async () => {
    const mock = mockS3(() => { mock.objects.set('k', Buffer.from('theirs')); throw s3Error('PreconditionFailed', 412); });
    const err = await new S3BlobStore({ client: mock.client, bucket: 'b' }).put('k', Buffer.from('mine!!')).catch((e: unknown) => e);
    assert.ok(err instanceof BlobConflictError);
    assert.equal((err.cause as Error).name, 'PreconditionFailed');
    assert.equal(mock.objects.get('k')?.toString(), 'theirs');
  });

  it('409 ConditionalRequestConflict (a concurrent conditional write in flight) → retried, then the result of the comparison', async () => {
    let first = true;
    const mock = mockS3(() => { if (first) { first = false; throw s3Error('ConditionalRequestConflict', 409); } return undefined; });
    assert.deepEqual(await new S3BlobStore({ client: mock.client, bucket: 'b' }).put('k', Buffer.from('x')), { created: true });
    assert.equal(mock.puts().length, 2);
  });

  it('409 that keeps conflicting → UnavailableError', async () => {
    const mock = mockS3(() => { throw s3Error('ConditionalRequestConflict', 409); });
    await assert.rejects(new S3BlobStore({ client: mock.client, bucket: 'b' }).put('k', Buffer.from('x')), UnavailableError);
  });

  it('BadDigest (S3 computed another SHA-256 than ChecksumSHA256) → BlobIntegrityError, nothing stored', async () => {
    const mock = mockS3(() => { throw s3Error('BadDigest', 400); });
    await assert.rejects(new S3BlobStore({ client: mock.client, bucket: 'b' }).put('k', Buffer.from('x')), BlobIntegrityError);
    assert.equal(mock.objects.size, 0);
  });

  it('SlowDown / 503 → UnavailableError', async () => {
    const mock = mockS3(() => { throw s3Error('SlowDown', 503); });
    await assert.rejects(new S3BlobStore({ client: mock.client, bucket: 'b' }).put('k', Buffer.from('x')), UnavailableError);
  });

  it('a key prefix must be a valid prefix ending in "/"', () => {
    const { client } = mockS3();
    for (const keyPrefix of ['drcore', '../', '/x/']) assert.throws(() => new S3BlobStore({ client, bucket: 'b', keyPrefix }));
  });
});

/**
 * S3BlobStore: the PutObject request and how it reads S3's answers to it; the ranged
 * GetObject of getRange and how it reads S3's answers (206, 416 InvalidRange, errors).
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
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BlobIntegrityError, S3BlobStore } from '../../shared/adapters/aws/s3-blob-store.js';
import { BlobConflictError, NotFoundError, PortError, UnavailableError } from '../../shared/ports/errors.js';

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

/**
 * MOCK S3 answering a ranged GetObject as the S3 API reference says: `Range: bytes=a-b`
 * → 206 with the bytes [a, min(b, size-1)] and `Content-Range: bytes a-e/size`; a ≥ size →
 * 416 InvalidRange; no object → NoSuchKey. `answer` may replace the answer.
 */
function rangedS3(answer?: (input: GetObjectCommand['input']) => unknown) {
  const objects = new Map<string, Buffer>();
  const gets: GetObjectCommand['input'][] = [];
  const client = {
    send: (async (command: unknown) => {
      if (!(command instanceof GetObjectCommand)) throw new Error('unexpected command');
      gets.push(command.input);
      const replaced = answer?.(command.input);
      if (replaced !== undefined) return replaced;
      const o = objects.get(command.input.Key ?? '');
      if (!o) throw s3Error('NoSuchKey', 404);
      const m = /^bytes=(\d+)-(\d+)$/.exec(command.input.Range ?? '');
      if (!m) throw new Error(`the mock wants a closed range, got ${String(command.input.Range)}`);
      const start = Number(m[1]);
      if (start >= o.length) throw s3Error('InvalidRange', 416);
      const end = Math.min(Number(m[2]), o.length - 1);
      const body = new Uint8Array(o.subarray(start, end + 1));
      return { Body: { transformToByteArray: async () => body }, ContentRange: `bytes ${start}-${end}/${o.length}`, ContentLength: body.length };
    }) as unknown as S3Client['send'],
  };
  return { client, objects, gets };
}

describe('S3BlobStore getRange (MOCK S3 client: the request sent, and S3\'s answers s3rver gives differently)', () => {
  const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

  it('one GetObject with Range: bytes=offset-(offset+length-1) on the prefixed key, no ChecksumMode (S3 has no checksum of a range)', async () => {
    const mock = rangedS3();
    mock.objects.set('drcore/tenants/t1/packs/p1', bytes);
    const got = await new S3BlobStore({ client: mock.client, bucket: 'data', keyPrefix: 'drcore/' }).getRange('tenants/t1/packs/p1', 10, 5);
    assert.deepEqual([...got], [10, 11, 12, 13, 14]);
    assert.ok(Buffer.isBuffer(got));
    assert.deepEqual(mock.gets, [{ Bucket: 'data', Key: 'drcore/tenants/t1/packs/p1', Range: 'bytes=10-14' }]);
  });

  it('a range crossing the end: S3 answers the bytes that exist', async () => {
    const mock = rangedS3();
    mock.objects.set('k', bytes);
    assert.ok((await new S3BlobStore({ client: mock.client, bucket: 'b' }).getRange('k', 90, 1000)).equals(bytes.subarray(90)));
    assert.ok((await new S3BlobStore({ client: mock.client, bucket: 'b' }).getRange('k', 99, Number.MAX_SAFE_INTEGER)).equals(bytes.subarray(99)));
    assert.equal(mock.gets[1]?.Range, `bytes=99-${Number.MAX_SAFE_INTEGER}`, 'the last byte position stays a safe integer');
  });

  it('416 InvalidRange (offset at or after the end, and any range of a 0-byte object) → an empty Buffer, not an error', async () => {
    const mock = rangedS3();
    mock.objects.set('k', bytes);
    mock.objects.set('empty', Buffer.alloc(0));
    for (const offset of [100, 101, 10_000]) assert.equal((await new S3BlobStore({ client: mock.client, bucket: 'b' }).getRange('k', offset, 10)).length, 0);
    for (const offset of [0, 3]) assert.equal((await new S3BlobStore({ client: mock.client, bucket: 'b' }).getRange('empty', offset, 10)).length, 0);
    assert.equal(mock.gets.length, 5);
  });

  it('length 0 → an empty Buffer without a request; bad offset or length → RangeError without a request', async () => {
    const mock = rangedS3();
    const blobs = new S3BlobStore({ client: mock.client, bucket: 'b' });
    assert.equal((await blobs.getRange('k', 0, 0)).length, 0);
    assert.equal((await blobs.getRange('k', 500, 0)).length, 0);
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 53]) {
      await assert.rejects(blobs.getRange('k', bad, 1), RangeError);
      await assert.rejects(blobs.getRange('k', 0, bad), RangeError);
    }
    assert.deepEqual(mock.gets, []);
  });

  it('NoSuchKey → NotFoundError; SlowDown → UnavailableError; AccessDenied → PortError; each keeps the SDK error as cause', async () => {
    const cases: [Error, new (...a: never[]) => PortError][] = [
      [s3Error('NoSuchKey', 404), NotFoundError], [s3Error('SlowDown', 503), UnavailableError], [s3Error('AccessDenied', 403), PortError],
    ];
    for (const [sdkError, expected] of cases) {
      const mock = rangedS3(() => { throw sdkError; });
      const err = await new S3BlobStore({ client: mock.client, bucket: 'b' }).getRange('k', 0, 10).catch((e: unknown) => e);
      assert.ok(err instanceof expected, `${sdkError.name} → ${expected.name}`);
      assert.equal((err as Error).cause, sdkError, 'cause kept');
    }
  });

  it('a server that ignores Range (200, the whole object, no Content-Range) → the asked bytes are cut out of it', async () => {
    const mock = rangedS3(() => ({ Body: { transformToByteArray: async () => new Uint8Array(bytes) }, ContentLength: bytes.length }));
    assert.deepEqual([...(await new S3BlobStore({ client: mock.client, bucket: 'b' }).getRange('k', 10, 3))], [10, 11, 12]);
  });

  it('a 206 longer than asked (s3rver answers bytes=0-0 with the whole object) → cut to the length asked; one that starts elsewhere → PortError', async () => {
    const whole = rangedS3(() => ({ Body: { transformToByteArray: async () => new Uint8Array(bytes) }, ContentRange: `bytes 0-99/100` }));
    assert.deepEqual([...(await new S3BlobStore({ client: whole.client, bucket: 'b' }).getRange('k', 0, 1))], [0]);
    const elsewhere = rangedS3(() => ({ Body: { transformToByteArray: async () => new Uint8Array(bytes.subarray(0, 5)) }, ContentRange: `bytes 0-4/100` }));
    await assert.rejects(new S3BlobStore({ client: elsewhere.client, bucket: 'b' }).getRange('k', 10, 5), PortError);
  });
});

describe('S3BlobStore listPage (MOCK S3 client: s3rver fails every listing it must cut into pages)', () => {
  /** MOCK ListObjectsV2 over `keys` (full object keys), as S3 answers it: byte order, StartAfter exclusive, MaxKeys, IsTruncated. */
  function listingS3(keys: string[]) {
    const sent: ListObjectsV2Command['input'][] = [];
    const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const client = {
      send: (async (command: unknown) => {
        if (!(command instanceof ListObjectsV2Command)) throw new Error('unexpected command');
        const i = command.input;
        sent.push(i);
        const matching = sorted.filter((k) => k.startsWith(i.Prefix ?? '') && (i.StartAfter === undefined || k > i.StartAfter));
        const page = matching.slice(0, i.MaxKeys ?? 1000);
        return {
          Contents: page.map((Key, n) => ({ Key, Size: Key.length, LastModified: new Date(Date.UTC(2025, 0, 1) + n * 1000) })),
          IsTruncated: matching.length > page.length,
          ...(matching.length > page.length ? { NextContinuationToken: 'opaque' } : {}),
        };
      }) as unknown as S3Client['send'],
    };
    return { client, sent };
  }

  it('listPage: one ListObjectsV2 from StartAfter (with the key prefix), MaxKeys = limit; next = the last key while IsTruncated; sizes and LastModified kept', async () => {
    const keys = ['drcore/t/packs/a', 'drcore/t/packs/b', 'drcore/t/packs/c', 'drcore/t/packs/d', 'drcore/t/packt', 'drcore/other'];
    const mock = listingS3(keys);
    const blobs = new S3BlobStore({ client: mock.client, bucket: 'b', keyPrefix: 'drcore/' });
    const first = await blobs.listPage('t/packs/', { limit: 3 });
    assert.deepEqual(first.objects.map((o) => o.key), ['t/packs/a', 't/packs/b', 't/packs/c']);
    assert.deepEqual(first.objects.map((o) => o.size), [16, 16, 16]);
    assert.equal(first.objects[1]?.modifiedMs, Date.UTC(2025, 0, 1) + 1000);
    assert.equal(first.next, 't/packs/c');
    const second = await blobs.listPage('t/packs/', { after: first.next as string, limit: 3 });
    assert.deepEqual(second.objects.map((o) => o.key), ['t/packs/d']);
    assert.equal(second.next, undefined, 'the last page');
    assert.deepEqual(mock.sent, [
      { Bucket: 'b', Prefix: 'drcore/t/packs/', MaxKeys: 3 },
      { Bucket: 'b', Prefix: 'drcore/t/packs/', MaxKeys: 3, StartAfter: 'drcore/t/packs/c' },
    ]);
  });

  it('listPage refuses a limit outside 1..1000 and an invalid prefix or `after` before any request', async () => {
    const mock = listingS3([]);
    const blobs = new S3BlobStore({ client: mock.client, bucket: 'b' });
    await assert.rejects(blobs.listPage('p/', { limit: 0 }), RangeError);
    await assert.rejects(blobs.listPage('p/', { limit: 1001 }), RangeError);
    await assert.rejects(blobs.listPage('../', { limit: 1 }), /invalid blob prefix/);
    await assert.rejects(blobs.listPage('p/', { after: 'a//b', limit: 1 }), /invalid blob key/);
    assert.deepEqual(mock.sent, []);
  });
});

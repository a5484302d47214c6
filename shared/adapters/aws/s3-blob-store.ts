/**
 * BlobStore on S3 (DESIGN §2, §5). Objects are immutable and created once:
 * - integrity: the SHA-256 is checked here before sending, and sent as ChecksumSHA256
 *   so that S3 rejects a body damaged on the way (BadDigest);
 * - create-once: `If-None-Match: *` makes S3 refuse to overwrite (412); the existing
 *   bytes are then compared: the same → `created: false`, different → BlobConflictError.
 *   A HeadObject first answers most repeats without sending the body again, and is the
 *   only protection on servers that ignore If-None-Match (s3rver).
 * Encryption at rest is the bucket's default encryption (CDK).
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { assertSha256, InvalidIdError } from '../../ids.js';
import type { BlobListPage, BlobStore } from '../../ports/blob-store.js';
import { assertByteRange, assertListPage, isValidBlobKey, isValidBlobPrefix } from '../../ports/blob-store.js';
import { BlobConflictError, NotFoundError, PortError, UnavailableError } from '../../ports/errors.js';
import { ENV } from '../../runtime/env.js';
import { defaultS3Client, requiredEnv } from './clients.js';
import { isConditionalRequestConflict, isInvalidRange, isNotFound, isPreconditionFailed, translateAwsError } from './errors.js';

export type S3Sender = Pick<S3Client, 'send'>;

export interface S3BlobStoreOptions {
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: S3Sender;
  /** Default: DRCORE_DATA_BUCKET. */
  readonly bucket?: string;
  /** Prepended to every key: '' (default) or a valid key prefix ending in '/'. */
  readonly keyPrefix?: string;
  /** Keys per ListObjectsV2 page (1..1000, default 1000). */
  readonly listPageSize?: number;
}

/** put() was given a sha256 the bytes do not have (or S3 computed another one): nothing was stored. */
export class BlobIntegrityError extends PortError {}

const CONFLICT_RETRIES = 3;

export class S3BlobStore implements BlobStore {
  private readonly client: S3Sender;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly listPageSize: number;

  constructor(options: S3BlobStoreOptions = {}) {
    this.client = options.client ?? defaultS3Client();
    this.bucket = options.bucket ?? requiredEnv(ENV.dataBucket);
    this.keyPrefix = options.keyPrefix ?? '';
    this.listPageSize = options.listPageSize ?? 1000;
    if (!Number.isSafeInteger(this.listPageSize) || this.listPageSize < 1 || this.listPageSize > 1000) {
      throw new RangeError(`listPageSize must be 1..1000, got ${String(options.listPageSize)}`);
    }
    if (this.keyPrefix !== '' && !(this.keyPrefix.endsWith('/') && isValidBlobPrefix(this.keyPrefix))) {
      throw new InvalidIdError('blob key prefix', this.keyPrefix);
    }
  }

  async put(key: string, bytes: Uint8Array, options: { sha256?: string; contentType?: string } = {}): Promise<{ created: boolean }> {
    const objectKey = this.objectKey(key);
    const digest = createHash('sha256').update(bytes).digest();
    if (options.sha256 !== undefined && assertSha256(options.sha256) !== digest.toString('hex')) {
      throw new BlobIntegrityError(`blob ${key}: the bytes do not have the sha256 ${options.sha256}; nothing stored`);
    }
    // Safety net and shortcut: an existing object is compared, never overwritten.
    const existing = await this.sameAsStored(key, objectKey, bytes);
    if (existing !== undefined) return { created: false };

    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.client.send(new PutObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: options.contentType ?? 'application/octet-stream',
          ChecksumSHA256: digest.toString('base64'),
          Metadata: { sha256: digest.toString('hex') },
          IfNoneMatch: '*',
        }));
        return { created: true };
      } catch (err) {
        if (isPreconditionFailed(err)) {
          if ((await this.sameAsStored(key, objectKey, bytes, err)) !== undefined) return { created: false };
          // 412 and then no object: it was deleted in between; try again.
        } else if (!isConditionalRequestConflict(err)) {
          const name = (err as { name?: unknown }).name;
          if (name === 'BadDigest' || name === 'XAmzContentSHA256Mismatch') {
            throw new BlobIntegrityError(`blob ${key}: S3 rejected the body's checksum; nothing stored`, { cause: err });
          }
          throw translateAwsError(err, `S3 put ${key}`);
        }
        if (attempt >= CONFLICT_RETRIES) throw new UnavailableError(`S3 put ${key}: concurrent writers kept conflicting`, { cause: err });
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async get(key: string): Promise<Buffer> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, ChecksumMode: 'ENABLED' }));
      if (out.Body === undefined) throw new PortError(`S3 get ${key}: no body`);
      const bytes = await out.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError(`blob ${key} not found`, { cause: err });
      throw translateAwsError(err, `S3 get ${key}`);
    }
  }

  /**
   * One GetObject with `Range: bytes=offset-last`. S3 answers 206 with the bytes that exist,
   * or 416 InvalidRange when offset ≥ size (→ an empty Buffer). No ChecksumMode: S3 keeps no
   * checksum of a range. The answer is held to the range asked (a server that ignores Range
   * answers the whole object; s3rver answers `bytes=0-0` so).
   */
  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const objectKey = this.objectKey(key);
    assertByteRange(offset, length);
    if (length === 0) return Buffer.alloc(0);
    const last = Math.min(offset + length - 1, Number.MAX_SAFE_INTEGER);
    let bytes: Buffer;
    let contentRange: string | undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: `bytes=${offset}-${last}` }));
      if (out.Body === undefined) throw new PortError(`S3 getRange ${key}: no body`);
      const body = await out.Body.transformToByteArray();
      bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      contentRange = out.ContentRange;
    } catch (err) {
      if (isInvalidRange(err)) return Buffer.alloc(0);
      if (isNotFound(err)) throw new NotFoundError(`blob ${key} not found`, { cause: err });
      throw translateAwsError(err, `S3 getRange ${key}`);
    }
    if (contentRange === undefined) return bytes.subarray(offset, offset + length); // 200: the whole object
    const start = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(contentRange)?.[1];
    if (start === undefined || Number(start) !== offset) {
      throw new PortError(`S3 getRange ${key}: asked for bytes from ${offset}, answered ${contentRange}`);
    }
    return bytes.length > length ? bytes.subarray(0, length) : bytes;
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return { size: out.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw translateAwsError(err, `S3 head ${key}`);
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    if (!isValidBlobPrefix(prefix)) throw new InvalidIdError('blob prefix', prefix);
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.keyPrefix + prefix,
          MaxKeys: this.listPageSize,
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }));
      } catch (err) {
        throw translateAwsError(err, `S3 list ${prefix}`);
      }
      // S3 (general purpose buckets) lists in UTF-8 binary order, across pages. Sorting
      // each page too costs nothing there and orders servers that list in directory-walk
      // order (s3rver) within a page.
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]))
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const key of keys) yield key.slice(this.keyPrefix.length);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** One ListObjectsV2 from StartAfter: keys, sizes and LastModified of at most `limit` objects. */
  async listPage(prefix: string, options: { after?: string; limit: number }): Promise<BlobListPage> {
    assertListPage(prefix, options);
    let page;
    try {
      page = await this.client.send(new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: this.keyPrefix + prefix,
        MaxKeys: options.limit,
        ...(options.after !== undefined ? { StartAfter: this.keyPrefix + options.after } : {}),
      }));
    } catch (err) {
      throw translateAwsError(err, `S3 list ${prefix}`);
    }
    const objects = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{
      key: o.Key.slice(this.keyPrefix.length), size: o.Size ?? 0, modifiedMs: o.LastModified?.getTime() ?? 0,
    }])).sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    return { objects, next: page.IsTruncated === true ? objects.at(-1)?.key : undefined };
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw translateAwsError(err, `S3 delete ${key}`);
    }
  }

  /** undefined: no object; true: the same bytes; different bytes throw BlobConflictError. */
  private async sameAsStored(key: string, objectKey: string, bytes: Uint8Array, cause?: unknown): Promise<true | undefined> {
    const head = await this.head(key);
    if (head === undefined) return undefined;
    let stored: Buffer;
    try {
      stored = head.size === bytes.byteLength ? await this.get(key) : Buffer.alloc(0);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    if (head.size === bytes.byteLength && stored.equals(bytes)) return true;
    throw new BlobConflictError(`blob ${key} already exists with different bytes (s3://${this.bucket}/${objectKey})`, { cause });
  }

  private objectKey(key: string): string {
    if (!isValidBlobKey(key)) throw new InvalidIdError('blob key', key);
    return this.keyPrefix + key;
  }
}

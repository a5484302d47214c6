/**
 * ObjectLocks on S3 Object Lock (shared/ports/object-locks.ts): GetObjectRetention, then
 * PutObjectRetention only when the object's lock ends earlier than asked — a lock is never
 * shortened, so governance mode needs no bypass permission and compliance mode never refuses.
 * The data bucket must have Object Lock on (infra/constructs/data-bucket.ts, `-c objectLock=true`).
 */
import { GetObjectRetentionCommand, PutObjectRetentionCommand } from '@aws-sdk/client-s3';
import { InvalidIdError } from '../../ids.js';
import { isValidBlobKey } from '../../ports/blob-store.js';
import { NotFoundError } from '../../ports/errors.js';
import type { ObjectLocks } from '../../ports/object-locks.js';
import { ENV } from '../../runtime/env.js';
import { defaultS3Client, requiredEnv } from './clients.js';
import { awsErrorName, isNotFound, translateAwsError } from './errors.js';
import type { S3Sender } from './s3-blob-store.js';

export type LockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface S3ObjectLocksOptions {
  readonly client?: S3Sender;
  readonly bucket?: string;
  /** GOVERNANCE (the data bucket's default mode) or COMPLIANCE. */
  readonly mode?: LockMode;
}

export class S3ObjectLocks implements ObjectLocks {
  private readonly client: S3Sender;
  private readonly bucket: string;
  private readonly mode: LockMode;

  constructor(options: S3ObjectLocksOptions = {}) {
    this.client = options.client ?? defaultS3Client();
    this.bucket = options.bucket ?? requiredEnv(ENV.dataBucket);
    this.mode = options.mode ?? 'GOVERNANCE';
  }

  async lockedUntil(key: string): Promise<Date | undefined> {
    if (!isValidBlobKey(key)) throw new InvalidIdError('blob key', key);
    try {
      const r = await this.client.send(new GetObjectRetentionCommand({ Bucket: this.bucket, Key: key }));
      return r.Retention?.RetainUntilDate ? new Date(r.Retention.RetainUntilDate) : undefined;
    } catch (err) {
      if (awsErrorName(err) === 'NoSuchObjectLockConfiguration') return undefined; // never locked
      if (isNotFound(err)) throw new NotFoundError(`S3 object ${key} does not exist`, { cause: err });
      throw translateAwsError(err, `S3 get retention ${key}`);
    }
  }

  async extend(key: string, until: Date): Promise<void> {
    const current = await this.lockedUntil(key);
    if (current !== undefined && current.getTime() >= until.getTime()) return;
    try {
      await this.client.send(new PutObjectRetentionCommand({ Bucket: this.bucket, Key: key, Retention: { Mode: this.mode, RetainUntilDate: until } }));
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError(`S3 object ${key} does not exist`, { cause: err });
      throw translateAwsError(err, `S3 put retention ${key}`);
    }
  }
}

/**
 * A MOCK of S3's object retention API (GetObjectRetention, PutObjectRetention) over a BlobStore,
 * for the S3ObjectLocks adapter: no emulator here (s3rver, and the shim in front of it) has
 * Object Lock. It answers as the S3 API reference says for a bucket with Object Lock on:
 * NoSuchKey for a missing object, NoSuchObjectLockConfiguration for an object never locked, and
 * AccessDenied for a governance-mode lock moved earlier without the bypass permission.
 * (A support module, no tests.)
 */
import { GetObjectRetentionCommand, PutObjectRetentionCommand } from '@aws-sdk/client-s3';
import type { S3Sender } from '../../shared/adapters/aws/s3-blob-store.js';
import type { BlobStore } from '../../shared/ports/blob-store.js';

const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

export interface MockRetentionS3 { client: S3Sender; until: Map<string, Date>; puts: string[] }

export function mockRetentionS3(objects: Pick<BlobStore, 'head'>): MockRetentionS3 {
  const until = new Map<string, Date>();
  const puts: string[] = [];
  const client = {
    send: (async (command: unknown) => {
      if (!(command instanceof GetObjectRetentionCommand) && !(command instanceof PutObjectRetentionCommand)) throw new Error('MOCK S3: only the retention API');
      const key = command.input.Key ?? '';
      if (!(await objects.head(key))) throw s3Error('NoSuchKey', 404);
      if (command instanceof GetObjectRetentionCommand) {
        const u = until.get(key);
        if (!u) throw s3Error('NoSuchObjectLockConfiguration', 404);
        return { Retention: { Mode: 'GOVERNANCE', RetainUntilDate: u } };
      }
      const next = command.input.Retention?.RetainUntilDate;
      if (!(next instanceof Date)) throw s3Error('MalformedXML', 400);
      const current = until.get(key);
      if (current && next < current) throw s3Error('AccessDenied', 403);
      until.set(key, next);
      puts.push(key);
      return {};
    }) as S3Sender['send'],
  };
  return { client, until, puts };
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * drcore's bucket defaults, one place: every public access blocked, bucket-owner-enforced
 * ownership (no ACLs), SSE-S3 encryption, a bucket policy that denies any request not
 * made over TLS 1.2+, incomplete multipart uploads aborted after one day, retained when
 * the stack is deleted, and server access logs into `accessLogs` (cdk-nag S1).
 */
export function secureBucket(scope: Construct, id: string, accessLogs: Bucket | undefined, props: Partial<BucketProps> = {}): Bucket {
  return new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(accessLogs !== undefined ? { serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: `${id}/` } : {}),
    ...props,
    lifecycleRules: [{ id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) }, ...(props.lifecycleRules ?? [])],
  });
}

/**
 * The target of the other buckets' server access logs. It keeps them a year. It cannot
 * log into itself (that would be a loop), hence the one justified S1 acknowledgment.
 */
export function accessLogsBucket(scope: Construct, id: string): Bucket {
  const bucket = secureBucket(scope, id, undefined, {
    lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket is the server access log target of the other buckets; logging its own access into itself would recurse.',
  });
  return bucket;
}

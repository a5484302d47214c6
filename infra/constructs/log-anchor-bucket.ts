import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Bucket, type CfnBucket, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../shared/runtime/env.js';
import type { DrcoreFunction } from './drcore-function.js';
import { secureBucket } from './secure-bucket.js';

export interface LogAnchorBucketProps {
  readonly accessLogs: Bucket;
  /** Days each checkpoint is locked, in compliance mode. */
  readonly lockDays: number;
}

/**
 * The anchors of the event log (shared/app/log-anchor.ts): the signed checkpoints of every
 * stream's head, `checkpoints/<name>.json` and its signatures, written create-once by the
 * workflow worker. A bucket of its own, not a prefix of the data bucket: S3 Object Lock is on
 * from creation in COMPLIANCE mode for every object (the data bucket's lock is optional and in
 * governance mode), so within the lock period nobody — no function, no administrator, not the
 * account root — can delete or overwrite a checkpoint, and whoever can edit the event table
 * cannot make its tampering pass `verify-log`. No lifecycle rule expires them.
 */
export class LogAnchorBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: LogAnchorBucketProps) {
    super(scope, id);
    this.bucket = secureBucket(this, 'Bucket', props.accessLogs, {
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(props.lockDays)),
    });
  }

  /** Write (create-once), read and list the checkpoints; never delete. Sets DRCORE_LOG_ANCHOR_BUCKET. */
  bindWriter(f: DrcoreFunction): void {
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects('checkpoints/*')] }));
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['checkpoints/*'] } } }));
    f.addEnvironment(ENV.logAnchorBucket, this.bucket.bucketName);
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/checkpoints/*]`,
      reason: 'Checkpoint names are made at run time (their time); get and put of checkpoints/ only, never delete (and Object Lock forbids it anyway).',
    });
  }
}

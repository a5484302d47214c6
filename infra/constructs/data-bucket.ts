import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Bucket, type CfnBucket, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV, SEED_INBOX_PREFIX } from '../../shared/runtime/env.js';
import type { DrcoreFunction } from './drcore-function.js';
import { secureBucket } from './secure-bucket.js';

/** Days a seed stays in the seed inbox (issue 12): a forgotten one is not kept forever. */
export const SEED_INBOX_DAYS = 60;

export interface DataBucketProps {
  readonly accessLogs: Bucket;
  /** S3 Object Lock in governance mode with this many days of default retention; off when undefined. */
  readonly objectLockDays?: number;
}

/** Object-level actions of the BlobStore port: put (create-once), get/head, delete (GC). */
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];

/**
 * The recovery-point data (DESIGN §5): packs and manifests under `tenants/<id>/…`.
 * The secure defaults plus versioning (an overwritten or deleted pack stays recoverable
 * for 30 days), and optionally Object Lock so that not even a compromised function can
 * destroy a pack within the retention period.
 */
export class DataBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);
    const lock = props.objectLockDays;
    this.bucket = secureBucket(this, 'Bucket', props.accessLogs, {
      versioned: true,
      ...(lock !== undefined ? { objectLockEnabled: true, objectLockDefaultRetention: ObjectLockRetention.governance(Duration.days(lock)) } : {}),
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30), expiredObjectDeleteMarker: true },
        // Seeds wait in the inbox until imported (their packs are then under tenants/): a forgotten one does not stay forever.
        { id: 'expire-seed-inbox', prefix: SEED_INBOX_PREFIX, expiration: Duration.days(SEED_INBOX_DAYS) },
      ],
    });
  }

  /**
   * Read and extend the Object Lock retention of objects (the retention job: a kept RP's packs
   * and index parts locked as long as its retention class keeps it, docs/lifecycle.md). No
   * s3:BypassGovernanceRetention: a lock can be extended, never shortened or lifted. Sets
   * DRCORE_OBJECT_LOCK_MODE (the bucket's default mode, governance).
   */
  bindLockExtender(f: DrcoreFunction): void {
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObjectRetention', 's3:PutObjectRetention'], resources: [this.bucket.arnForObjects('tenants/*')] }));
    f.addEnvironment(ENV.objectLockMode, 'GOVERNANCE');
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/tenants/*]`,
      reason: 'Retention locks the packs and index parts of any tenant\'s kept RPs (keys made at run time): read and extend retention only, never bypass it.',
    });
  }

  /**
   * Put, get, head, delete and list objects (replication-api, workflow-worker). Explicit
   * actions, no `s3:*Object*` wildcards; nothing on the bucket's configuration or policy.
   * Sets DRCORE_DATA_BUCKET.
   */
  /**
   * The storage migration (admin-api, `POST /v1/admin/storage-migration`): read objects, and
   * write or replace only RP index parts (`tenants/<T>/rps/<rpId>/index/<n>`). Sets DRCORE_DATA_BUCKET.
   */
  bindIndexWriter(f: DrcoreFunction): void {
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('tenants/*')] }));
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [this.bucket.arnForObjects('tenants/*/rps/*')] }));
    f.addEnvironment(ENV.dataBucket, this.bucket.bucketName);
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/tenants/*]`,
      reason: 'The storage migration reads layout-1 chunk records and packs of any tenant (keys made at run time): get only.',
    });
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/tenants/*/rps/*]`,
      reason: 'The storage migration writes RP index parts under tenants/<tenantId>/rps/<rpId>/index/, made at run time: put and delete of those keys only.',
    });
  }

  /**
   * The seed import's request (admin-api, `POST /v1/admin/seed-imports`): list and read the
   * seed inbox (`seed-inbox/…`, issue 12) only, to check a folder holds a seed before the job is
   * queued. The workflow worker, which runs the import, reads it with its read-write grant.
   */
  bindSeedInboxReader(f: DrcoreFunction): void {
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${SEED_INBOX_PREFIX}*`)] }));
    f.role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${SEED_INBOX_PREFIX}*`] } },
    }));
    f.addEnvironment(ENV.dataBucket, this.bucket.bucketName);
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${SEED_INBOX_PREFIX}*]`,
      reason: 'Seed folders in the seed inbox are named by the operator at run time: get of objects under seed-inbox/ only.',
    });
  }

  bindReadWrite(f: DrcoreFunction): void {
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: OBJECT_ACTIONS, resources: [this.bucket.arnForObjects('*')] }));
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    f.addEnvironment(ENV.dataBucket, this.bucket.bucketName);
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
      reason: 'Object keys are content-addressed pack ids under tenants/<tenantId>/, created at run time: the grant is every object of the data bucket, with explicit get/put/delete actions only.',
    });
  }
}

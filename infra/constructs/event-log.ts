import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_TABLE_KEYS } from '../../shared/adapters/aws/table-schemas.js';
import { EVENT_STREAM_DELIVERY } from '../../shared/ports/event-stream.js';
import { ENV } from '../../shared/runtime/env.js';
import type { DrcoreFunction } from './drcore-function.js';

/** What reading the log needs: one stream (Query), one event (GetItem), readAll (Scan). */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable'];
/**
 * What appending needs: a conditional PutItem on (streamId, version); TransactWriteItems is
 * authorized per item as PutItem / ConditionCheckItem. No UpdateItem, DeleteItem or
 * BatchWriteItem: no function can rewrite or remove an event.
 */
const APPEND_ACTIONS = ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'];

export interface StreamConsumerOptions {
  /** Where a batch that still fails after the retries is recorded (its stream coordinates). */
  readonly onFailure: IQueue;
  readonly batchSize?: number;
  readonly retryAttempts?: number;
}

/**
 * The event log (DESIGN §4): the source of truth. One item per event keyed
 * (streamId, version), on-demand, encrypted with the AWS-managed KMS key, point-in-time
 * recovery, deletion protection, retained when the stack goes, and a NEW_IMAGE stream that
 * feeds the projector.
 */
export class EventLog extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: EVENT_TABLE_KEYS.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: EVENT_TABLE_KEYS.sortKey.name, type: AttributeType.NUMBER },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType.NEW_IMAGE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Read the log (streams, readAll) and append to it. Sets DRCORE_EVENTS_TABLE. */
  bindWriter(f: DrcoreFunction): void {
    this.table.grant(f.role, ...READ_ACTIONS, ...APPEND_ACTIONS);
    f.addEnvironment(ENV.eventsTable, this.table.tableName);
  }

  /** Read the log only (the authorizer's registry look-ups). Sets DRCORE_EVENTS_TABLE. */
  bindReader(f: DrcoreFunction): void {
    this.table.grant(f.role, ...READ_ACTIONS);
    f.addEnvironment(ENV.eventsTable, this.table.tableName);
  }

  /**
   * Deliver the table's stream to `f` (the projector): batches in version order per
   * stream id, failed batches bisected, partial batch failures reported by the handler,
   * a bounded number of retries, then the batch's coordinates go to `onFailure`.
   * Grants only the stream read (no table access). Sets DRCORE_EVENTS_TABLE so the
   * handler can name the log in its messages; it cannot read or write the table.
   */
  bindStreamConsumer(f: DrcoreFunction, options: StreamConsumerOptions): void {
    f.fn.addEventSource(
      new DynamoEventSource(this.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: options.batchSize ?? EVENT_STREAM_DELIVERY.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: options.retryAttempts ?? EVENT_STREAM_DELIVERY.retryAttempts, // the local dispatcher retries as often
        maxRecordAge: Duration.hours(24),
        parallelizationFactor: 1,
        onFailure: new SqsDlq(options.onFailure),
      }),
    );
    f.addEnvironment(ENV.eventsTable, this.table.tableName);
    Validations.of(f.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams has no resource-level permissions (IAM requires "*"); it lists stream ARNs only. Reading records is limited to this table\'s stream ARN.',
    });
  }
}

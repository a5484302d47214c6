import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { OPERATIONAL_COLLECTION_PREFIX, READ_MODEL_TABLE_KEYS } from '../../shared/adapters/aws/table-schemas.js';
import { ENV } from '../../shared/runtime/env.js';
import type { DrcoreFunction } from './drcore-function.js';

/** get/list (Query by collection, Scan for clear and rebuild). */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable'];
/** put/delete documents and checkpoints; BatchWriteItem for clear(). */
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * The projections (DESIGN §4): one item per document keyed (collection, id), including the
 * certificate registry the authorizer checks for revocation. Rebuildable from the log at
 * any time, so it may be destroyed with the stack; still encrypted and recoverable (PITR),
 * because rebuilding a large log takes time. The operational store shares the table under
 * collections starting with `_` (notifications, projection failures and dead letters): the
 * read models neither list nor clear those, and the same grants cover them.
 */
export class ReadModels extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: READ_MODEL_TABLE_KEYS.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: READ_MODEL_TABLE_KEYS.sortKey.name, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** Get/list documents. Sets DRCORE_READ_MODELS_TABLE. */
  bindReader(f: DrcoreFunction): void {
    this.table.grant(f.role, ...READ_ACTIONS);
    f.addEnvironment(ENV.readModelsTable, this.table.tableName);
  }

  /**
   * Get/list everything, and put/delete only operational records of the given collection
   * prefixes (e.g. `uploads/`: the data plane's upload records), by an IAM condition on the
   * partition key (`dynamodb:LeadingKeys`): the function cannot touch projections or other
   * records. Sets DRCORE_READ_MODELS_TABLE.
   */
  bindRecordWriter(f: DrcoreFunction, collectionPrefixes: readonly string[]): void {
    this.bindReader(f);
    f.role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [this.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': collectionPrefixes.map((c) => `${OPERATIONAL_COLLECTION_PREFIX}ops/${c}*`) } },
    }));
  }

  /** Get/list/put/delete documents and checkpoints (projector, workers). Sets DRCORE_READ_MODELS_TABLE. */
  bindWriter(f: DrcoreFunction): void {
    this.table.grant(f.role, ...READ_ACTIONS, ...WRITE_ACTIONS);
    f.addEnvironment(ENV.readModelsTable, this.table.tableName);
  }
}

import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnFunction, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ENV } from '../../shared/runtime/env.js';
import { DrcoreFunction, FUNCTION_ARCHITECTURE, FUNCTION_RUNTIME } from './drcore-function.js';
import type { Truststore } from './truststore.js';

export interface CaBootstrapProps {
  readonly truststore: Truststore;
  /** The API's custom domain: named in the CA's subject. */
  readonly domainName: string;
  /**
   * The event log: the bootstrap registers its bundle certificates there, so it runs after the
   * table exists. Its grant is the stack's (eventLog.bindWriter), with the other grants.
   */
  readonly eventsTable: ITable;
}

const NO_ROTATION =
  'Not rotatable by a Secrets Manager rotation function: rotating the CA means re-issuing every tenant certificate (a deliberate operation), and the admin/enrollment bundles are one-time hand-overs replaced by issuing new certificates.';

/**
 * The core's certificate authority on AWS (DESIGN §6). A custom resource runs
 * functions/ca-bootstrap.ts (the one PKI bootstrap) on creation and whenever its properties
 * change; it creates the CA the first time only (never regenerates it), keeps the CA key and
 * certificate in a Secrets Manager secret, writes the CA certificate as the mTLS truststore,
 * stores the first admin and enrollment bundles (PEM + PKCS#12) as secrets and registers their
 * certificates in the event log, after the table exists. The three secrets are created here with
 * a placeholder value `{"initialized":false,…}` that the bootstrap replaces, and are
 * retained when the stack is deleted.
 */
export class CaBootstrap extends Construct {
  readonly caSecret: Secret;
  readonly adminBundleSecret: Secret;
  readonly enrollmentBundleSecret: Secret;
  readonly function: DrcoreFunction;
  /** The S3 version id of the truststore object the bootstrap wrote (a deploy-time token). */
  readonly truststoreVersion: string;

  constructor(scope: Construct, id: string, props: CaBootstrapProps) {
    super(scope, id);
    this.caSecret = this.placeholderSecret('CaKey', 'drcore CA: certificate and private key (PEM, JSON)');
    this.adminBundleSecret = this.placeholderSecret('AdminBundle', 'drcore: the first admin client certificate (PEM and PKCS#12, JSON)');
    this.enrollmentBundleSecret = this.placeholderSecret('EnrollmentBundle', 'drcore: the MSP-wide enrollment client certificate (PEM and PKCS#12, JSON)');

    this.function = new DrcoreFunction(this, 'Handler', {
      name: 'ca-bootstrap',
      description: 'drcore: creates the CA once, writes the truststore and the first bundles',
      timeout: Duration.minutes(2),
      memorySize: 1024,
    });
    const role = this.function.role;
    for (const secret of [this.caSecret, this.adminBundleSecret, this.enrollmentBundleSecret]) {
      secret.grantRead(role);
      secret.grantWrite(role);
    }
    const { bucket, key } = props.truststore;
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(key)] }));

    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.function.fn,
      ...this.frameworkSetup(),
    });
    this.alignFrameworkFunction(provider);

    const resource = new CustomResource(this, 'Ca', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DrcoreCa',
      properties: {
        CaSecretArn: this.caSecret.secretArn,
        AdminBundleSecretArn: this.adminBundleSecret.secretArn,
        EnrollmentBundleSecretArn: this.enrollmentBundleSecret.secretArn,
        TruststoreBucket: bucket.bucketName,
        TruststoreKey: key,
        DomainName: props.domainName,
        // Not read by the function (its event store is configured by the grant): the table's name
        // here orders the resource after the table, and re-runs the bootstrap on a stack deployed
        // before the bootstrap registered its certificates, so that their bundles keep working.
        EventsTableName: props.eventsTable.tableName,
      },
    });
    resource.node.addDependency(role);
    resource.node.addDependency(props.eventsTable);
    this.truststoreVersion = resource.getAttString('TruststoreVersion');
  }

  /** Read the CA key and certificate (the workflow worker signs CSRs on approval). Sets DRCORE_CA_SECRET_ARN. */
  bindCaReader(f: DrcoreFunction): void {
    this.caSecret.grantRead(f.role);
    f.addEnvironment(ENV.caSecretArn, this.caSecret.secretArn);
  }

  private placeholderSecret(id: string, description: string): Secret {
    const secret = new Secret(this, id, {
      description,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ initialized: false }),
        generateStringKey: 'placeholder',
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: NO_ROTATION });
    return secret;
  }

  /**
   * The provider framework's own Lambda: its own role that may only write its own log
   * group (instead of the AWSLambdaBasicExecutionRole managed policy), the same runtime
   * and architecture as every drcore function, and a log group with a retention.
   */
  private frameworkSetup(): { frameworkOnEventRole: Role; logGroup: LogGroup } {
    const logGroup = new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.THREE_MONTHS });
    const role = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'drcore CA bootstrap: the custom resource provider framework',
    });
    logGroup.grantWrite(role);
    const fnLogicalId = Stack.of(this).getLogicalId(this.function.fn.node.defaultChild as CfnFunction);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: 'The CDK provider framework may invoke any version of the one CA bootstrap function (the grant CDK makes in Provider); nothing else.',
    });
    return { frameworkOnEventRole: role, logGroup };
  }

  /** The framework Lambda gets the runtime and architecture of every drcore function. */
  private alignFrameworkFunction(provider: Provider): void {
    for (const child of provider.node.findAll()) {
      if (child instanceof CfnFunction) {
        child.runtime = FUNCTION_RUNTIME.name;
        child.architectures = [FUNCTION_ARCHITECTURE.name];
        const fn = child.node.scope as LambdaFunction;
        Validations.of(fn).acknowledge({
          id: 'AwsSolutions-L1',
          reason: 'The CDK provider framework runs on the same nodejs22.x as every drcore function (see DrcoreFunction).',
        });
      }
    }
  }
}

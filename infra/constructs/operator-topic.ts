import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENV } from '../../shared/runtime/env.js';
import type { DrcoreFunction } from './drcore-function.js';

/**
 * What the MSP operator is told: CloudWatch alarms and workflow notifications (a new
 * pairing request, …). An SNS topic encrypted with its own rotating KMS key (CloudWatch
 * cannot publish to a topic under the AWS-managed SNS key), TLS-only publishing, and an
 * optional e-mail subscription.
 */
export class OperatorTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: { email?: string | undefined }) {
    super(scope, id);
    this.key = new Key(this, 'Key', { enableKeyRotation: true, description: 'drcore operator topic' });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, 'Topic', { displayName: 'drcore operator', masterKey: this.key, enforceSSL: true });
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
  }

  /**
   * Publish notifications (shared/adapters/aws/sns-notifier.ts): sns:Publish on this topic only,
   * and the topic key's data-key use, to the function `f`. Sets DRCORE_NOTIFICATION_TOPIC_ARN,
   * which makes the function's Notifier publish. Bound in infra/drcore-stack.ts to exactly the
   * functions that notify.
   */
  bindPublisher(f: DrcoreFunction): void {
    // Explicit instead of grantPublish, which adds `kms:GenerateDataKey*` (a wildcard).
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    f.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.key.keyArn] }));
    f.addEnvironment(ENV.notificationTopicArn, this.topic.topicArn);
  }
}

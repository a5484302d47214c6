/**
 * Notifications go out as SNS e-mail on the operator topic (issue 13, item 5): exactly the
 * functions that notify (the lifecycle job for RPO, the workflow worker for pairing and jobs,
 * the replication API for quota warnings) may publish to it, with the topic's key, and carry
 * its ARN in DRCORE_NOTIFICATION_TOPIC_ARN; no other function can. The replication API may
 * record its notifications (the 'notifications' operational collection).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../shared/runtime/env.js';
import { asArray, refTarget, resourcesOf, synth } from './synth.js';

const { json, template } = synth();

const [topicId] = resourcesOf(json, 'AWS::SNS::Topic').find(([id]) => id.startsWith('OperatorTopic'))!;
const [keyId] = resourcesOf(json, 'AWS::KMS::Key').find(([id]) => id.startsWith('OperatorKey'))!;

const NOTIFYING = ['lifecycle-job', 'workflow-worker', 'replication-api'];

function functionOf(service: string): { role: string; env: Record<string, unknown> } {
  for (const [, f] of resourcesOf(json, 'AWS::Lambda::Function')) {
    const env = (f.Properties!['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    if (env['POWERTOOLS_SERVICE_NAME'] === service) return { role: refTarget(f.Properties!['Role'])!, env };
  }
  throw new Error(`no function ${service}`);
}

/** The roles whose policies allow sns:Publish (anywhere). */
function publishingRoles(): Set<string> {
  const roles = new Set<string>();
  for (const [, p] of resourcesOf(json, 'AWS::IAM::Policy')) {
    const statements = (p.Properties!['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement;
    if (!statements.some((s) => asArray(s['Action'] as string | string[]).some((a) => a.startsWith('sns:')))) continue;
    for (const r of asArray(p.Properties!['Roles'])) roles.add(refTarget(r)!);
  }
  return roles;
}

describe('notifications: the operator topic publishers', () => {
  it('the functions that notify may sns:Publish on the operator topic only, and use its key', () => {
    for (const service of NOTIFYING) {
      const { role } = functionOf(service);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: Match.arrayWith([{ Ref: role }]),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } }),
            Match.objectLike({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }),
          ]),
        },
      });
    }
  });

  it('the functions that notify carry the topic ARN in DRCORE_NOTIFICATION_TOPIC_ARN', () => {
    for (const service of NOTIFYING) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: service, [ENV.notificationTopicArn]: { Ref: topicId } }) },
      });
    }
  });

  it('no other function may publish or knows the topic', () => {
    const notifyingRoles = new Set(NOTIFYING.map((s) => functionOf(s).role));
    assert.deepEqual([...publishingRoles()].sort(), [...notifyingRoles].sort());
    for (const [, f] of resourcesOf(json, 'AWS::Lambda::Function')) {
      const env = (f.Properties!['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const service = env['POWERTOOLS_SERVICE_NAME'];
      if (typeof service === 'string' && NOTIFYING.includes(service)) continue;
      assert.equal(env[ENV.notificationTopicArn], undefined, String(service));
    }
  });

  it('the replication API may record its notifications (quota warnings)', () => {
    const { role } = functionOf('replication-api');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: Match.arrayWith([{ Ref: role }]),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': Match.arrayWith([Match.stringLikeRegexp('ops/notifications\\*$')]) } },
          }),
        ]),
      },
    });
  });
});

/**
 * The lifecycle jobs on AWS (docs/lifecycle.md): an EventBridge rule invokes the lifecycle
 * function every hour with `{ "job": "retention" }`, the input the handler parses; EventBridge may
 * invoke it (a resource-based permission scoped to the rule), and the function has the time of a
 * long run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { LifecycleJobEvent, RETENTION_INTERVAL_MINUTES } from '../../shared/app/lifecycle/jobs.js';
import { refTarget, resourcesOf, synth } from './synth.js';

const { template, json } = synth();
const fnId = () => {
  const found = resourcesOf(json, 'AWS::Lambda::Function').find(([, f]) =>
    (f.Properties!['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables?.['POWERTOOLS_SERVICE_NAME'] === 'lifecycle-job');
  assert.ok(found, 'the lifecycle function');
  return found[0];
};

describe('the lifecycle schedule', () => {
  it('an EventBridge rule invokes the lifecycle function every hour with { job: "retention" }', () => {
    assert.equal(RETENTION_INTERVAL_MINUTES, 60);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId(), 'Arn'] }, Input: '{"job":"retention"}', RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    const [, rule] = resourcesOf(json, 'AWS::Events::Rule').find(([, r]) => r.Properties!['ScheduleExpression'] === 'rate(1 hour)')!;
    const input = JSON.parse(((rule.Properties!['Targets'] as { Input: string }[])[0]!).Input) as unknown;
    assert.ok(LifecycleJobEvent.safeParse(input).success, 'the rule\'s input is what the handler accepts');
  });

  it('EventBridge may invoke it, from that rule only', () => {
    const [ruleId] = resourcesOf(json, 'AWS::Events::Rule').find(([, r]) => r.Properties!['ScheduleExpression'] === 'rate(1 hour)')!;
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId(), 'Arn'] }, SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  it('has 15 minutes for a run (the job stops taking tenants 2 minutes before) and the runtime of every function', () => {
    const [, f] = resourcesOf(json, 'AWS::Lambda::Function').find(([id]) => id === fnId())!;
    assert.equal(f.Properties!['Timeout'], 900);
    assert.equal(f.Properties!['Runtime'], 'nodejs22.x');
    assert.ok(refTarget(f.Properties!['Role']));
  });
});

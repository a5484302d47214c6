/**
 * The RPO on AWS (issue 13): an EventBridge rule invokes the lifecycle function every
 * RPO_INTERVAL_MINUTES with { job: "rpo" }; CloudWatch alarms on MachinesPastRpo (one over every
 * tenant, one per tenant listed in context rpoAlarmTenants) page the operator topic; the
 * lifecycle function may write the notifications it records.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { LifecycleJobEvent, RPO_INTERVAL_MINUTES } from '../../shared/app/lifecycle/jobs.js';
import { resourcesOf, synth } from './synth.js';

describe('RPO schedule and alarms', () => {
  it('a rule invokes the lifecycle function with { job: "rpo" } every few minutes', () => {
    const { json } = synth();
    const rule = resourcesOf(json, 'AWS::Events::Rule').find(([, r]) => r.Properties!['ScheduleExpression'] === `rate(${RPO_INTERVAL_MINUTES} minutes)`);
    assert.ok(rule, 'the RPO rule');
    const input = JSON.parse(((rule[1].Properties!['Targets'] as { Input: string }[])[0]!).Input) as unknown;
    assert.deepEqual(input, { job: 'rpo' });
    assert.ok(LifecycleJobEvent.safeParse(input).success, 'an input the handler accepts');
  });

  it('an all-tenants alarm (Metrics Insights) and one per listed tenant page the operator topic', () => {
    const { json, template } = synth({ rpoAlarmTenants: 't-acme, t-globex' });
    const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    const any = alarms.find((a) => JSON.stringify(a['Metrics'] ?? '').includes('SELECT MAX(MachinesPastRpo)'));
    assert.ok(any, 'the all-tenants alarm');
    for (const tenantId of ['t-acme', 't-globex']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'MachinesPastRpo', Namespace: 'drcore', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'service', Value: 'lifecycle-job' }, { Name: 'tenantId', Value: tenantId }],
        AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('OperatorTopic') })],
      });
    }
    assert.throws(() => synth({ rpoAlarmTenants: 't-1,../x' }), /not a tenant id/);
  });
});

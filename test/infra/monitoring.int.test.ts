/**
 * Alarms and dashboard (issue 5, item 2): a message in any dead-letter queue, API 5xx,
 * errors and throttles of every function, and projection lag each page the operator topic.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refTarget, resourcesOf, synth } from './synth.js';

const { json, template } = synth();
const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
const dimensionTarget = (a: Record<string, unknown>, name: string): string | undefined =>
  refTarget((a['Dimensions'] as Array<{ Name: string; Value: unknown }> | undefined)?.find((d) => d.Name === name)?.Value);
const pagesOperator = (a: Record<string, unknown>): boolean =>
  (a['AlarmActions'] as unknown[] | undefined)?.some((x) => refTarget(x)?.startsWith('OperatorTopic')) ?? false;

describe('monitoring', () => {
  it('every dead-letter queue alarms as soon as it holds one message', () => {
    const dlqs = resourcesOf(json, 'AWS::SQS::Queue').map(([id]) => id).filter((id) => /DeadLetters|Failures/.test(id));
    assert.equal(dlqs.length, 2);
    for (const q of dlqs) {
      const alarm = alarms.find((a) => a['MetricName'] === 'ApproximateNumberOfMessagesVisible' && String(JSON.stringify(a['Dimensions'])).includes(q));
      assert.ok(alarm, `alarm on ${q}`);
      assert.equal(alarm['Threshold'], 0);
      assert.equal(alarm['ComparisonOperator'], 'GreaterThanThreshold');
      assert.ok(pagesOperator(alarm));
    }
  });

  it('API 5xx alarms', () => {
    const alarm = alarms.find((a) => a['MetricName'] === '5XXError' && a['Namespace'] === 'AWS/ApiGateway');
    assert.ok(alarm);
    assert.ok(pagesOperator(alarm));
  });

  it('every function has an errors alarm and a throttles alarm', () => {
    for (const [id] of resourcesOf(json, 'AWS::Lambda::Function')) {
      if (id.includes('Provider')) continue; // the CDK provider framework's own function: its failures fail the deployment
      for (const metric of ['Errors', 'Throttles']) {
        const alarm = alarms.find((a) => a['MetricName'] === metric && dimensionTarget(a, 'FunctionName') === id);
        assert.ok(alarm, `${metric} alarm for ${id}`);
        assert.ok(pagesOperator(alarm), `${metric} alarm for ${id} pages the operator`);
      }
    }
  });

  it('projection lag (stream IteratorAge) alarms, and there is a dashboard', () => {
    const lag = alarms.find((a) => a['MetricName'] === 'IteratorAge');
    assert.ok(lag && dimensionTarget(lag, 'FunctionName')?.startsWith('Projector'));
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {});
  });
});

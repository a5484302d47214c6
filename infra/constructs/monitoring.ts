import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  type Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DrcoreFunction } from './drcore-function.js';

export interface MonitoringProps {
  readonly api: RestApi;
  readonly functions: readonly DrcoreFunction[];
  /** Queues whose depth above zero means work was given up on. */
  readonly deadLetterQueues: Readonly<Record<string, Queue>>;
  readonly workQueue: Queue;
  /** Stream consumers whose IteratorAge (projection lag) is alarmed. */
  readonly streamConsumers: readonly DrcoreFunction[];
  readonly topic: ITopic;
}

/**
 * Alarms that page the operator topic and one dashboard: a message in any dead-letter
 * queue, API 5xx, errors and throttles of every function, and a projector falling behind.
 */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);

    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`${name}DeadLetters`, dlq.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }), 0,
        `drcore: messages in the ${name} dead-letter queue; inspect and redrive them`);
    }
    const api5xx = props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    this.alarm('Api5xx', api5xx, 0, 'drcore: the API answered 5xx');
    for (const f of props.functions) {
      this.alarm(`${pascal(f.name)}Errors`, f.fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }), 0, `drcore: ${f.name} failed`);
      this.alarm(`${pascal(f.name)}Throttles`, f.fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }), 0, `drcore: ${f.name} was throttled`);
    }
    for (const f of props.streamConsumers) {
      const age = f.fn.metric('IteratorAge', { period: minute, statistic: 'Maximum' });
      this.alarm(`${pascal(f.name)}Lag`, age, 5 * 60 * 1000, `drcore: ${f.name} is more than 5 minutes behind the event log`);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '# drcore target core', width: 24, height: 1 }),
      graph('API requests', [props.api.metricCount({ period: minute, statistic: 'Sum' })], [
        props.api.metricClientError({ period: minute, statistic: 'Sum' }),
        props.api.metricServerError({ period: minute, statistic: 'Sum' }),
      ]),
      graph('API latency (p50, p99)', [
        props.api.metricLatency({ period: minute, statistic: 'p50' }),
        props.api.metricLatency({ period: minute, statistic: 'p99' }),
      ]),
      graph('Queues', [
        props.workQueue.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum', label: 'workflow' }),
        props.workQueue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum', label: 'oldest (s)' }),
      ], Object.entries(props.deadLetterQueues).map(([name, q]) =>
        q.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum', label: `${name} DLQ` }))),
    );
    this.dashboard.addWidgets(
      graph('Invocations', props.functions.map((f) => f.fn.metricInvocations({ period: minute, label: f.name }))),
      graph('Errors', props.functions.map((f) => f.fn.metricErrors({ period: minute, label: f.name }))),
      graph('Duration p99', props.functions.map((f) => f.fn.metricDuration({ period: minute, statistic: 'p99', label: f.name }))),
    );
    this.dashboard.addWidgets(
      graph('Throttles', props.functions.map((f) => f.fn.metricThrottles({ period: minute, label: f.name }))),
      graph('Projection lag (ms)', props.streamConsumers.map((f) => f.fn.metric('IteratorAge', { period: minute, statistic: 'Maximum', label: f.name }))),
    );
  }

  private alarm(id: string, metric: Metric, threshold: number, description: string): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}

function graph(title: string, left: IMetric[], right: IMetric[] = []): GraphWidget {
  return new GraphWidget({ title, left, right, width: 8, height: 6 });
}

function pascal(name: string): string {
  return name.split('-').map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('');
}

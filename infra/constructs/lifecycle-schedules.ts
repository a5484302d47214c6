import { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LifecycleMessage } from '../../shared/app/workflows/lifecycle-messages.js';

export interface LifecycleSchedulesProps {
  /** The workflow queue: the worker runs the jobs (shared/app/workflows/lifecycle-workflow.ts). */
  readonly queue: Queue;
  /** The verify job: every day, RPs not verified for this many days, at this read rate. */
  readonly verifyOlderThanDays: number;
  readonly verifyRateBytesPerSecond: number;
}

/**
 * The storage lifecycle's schedules on AWS (locally: local/lifecycle-timers.ts): EventBridge
 * rules put the jobs' first messages on the workflow queue; the worker runs each step within
 * its time limit and queues the next step itself.
 * - every hour, a signed checkpoint of the event log's stream heads (the log anchors);
 * - every day, a verify run over the RPs not verified for `verifyOlderThanDays` days.
 */
export class LifecycleSchedules extends Construct {
  constructor(scope: Construct, id: string, props: LifecycleSchedulesProps) {
    super(scope, id);
    const message = (m: LifecycleMessage) => RuleTargetInput.fromObject(m);
    new Rule(this, 'LogCheckpoint', {
      description: 'drcore: a signed checkpoint of the event log every hour',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new SqsQueue(props.queue, { message: message({ type: 'LogCheckpoint' }) })],
    });
    new Rule(this, 'Verify', {
      description: 'drcore: the verify job every day (re-reads and re-hashes stored chunks)',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new SqsQueue(props.queue, {
        message: message({ type: 'VerifyStep', olderThanDays: props.verifyOlderThanDays, rateBytesPerSecond: props.verifyRateBytesPerSecond }),
      })],
    });
  }
}

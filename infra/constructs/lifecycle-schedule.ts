import { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { RETENTION_INTERVAL_MINUTES, RPO_INTERVAL_MINUTES, type LifecycleJobEvent } from '../../shared/app/lifecycle/jobs.js';
import type { DrcoreFunction } from './drcore-function.js';

/**
 * The schedule of the lifecycle jobs (docs/lifecycle.md): an EventBridge rule that invokes the
 * lifecycle function every RETENTION_INTERVAL_MINUTES with `{ "job": "retention" }` — the input
 * `drcore serve`'s scheduler passes the same handler locally. A run that does not finish (the
 * function's timeout) is taken up by the next tick.
 */
export class LifecycleSchedule extends Construct {
  readonly retention: Rule;
  /** The RPO job (issue 13): each machine's lag against its tenant's RPO target, every RPO_INTERVAL_MINUTES. */
  readonly rpo: Rule;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.retention = new Rule(this, 'Retention', {
      description: 'drcore: the retention job (expire, roll up, purge the recycle bin)',
      schedule: Schedule.rate(Duration.minutes(RETENTION_INTERVAL_MINUTES)),
    });
    this.rpo = new Rule(this, 'Rpo', {
      description: "drcore: the RPO job (each machine's lag against its tenant's RPO target)",
      schedule: Schedule.rate(Duration.minutes(RPO_INTERVAL_MINUTES)),
    });
  }

  /** Invoke `f` on every tick (EventBridge's resource-based permission on the function; no role grant). */
  bindTarget(f: DrcoreFunction): void {
    const input: LifecycleJobEvent = { job: 'retention' };
    this.retention.addTarget(new LambdaFunction(f.fn, { event: RuleTargetInput.fromObject(input), retryAttempts: 2 }));
    const rpo: LifecycleJobEvent = { job: 'rpo' };
    this.rpo.addTarget(new LambdaFunction(f.fn, { event: RuleTargetInput.fromObject(rpo), retryAttempts: 2 }));
  }
}

import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from './drcore-function.js';

export interface RpoAlarmsProps {
  readonly topic: ITopic;
  /** Tenants with an alarm of their own (config rpoAlarmTenants). */
  readonly tenants: readonly string[];
}

/**
 * RPO alarms (issue 13): the RPO job (shared/app/lifecycle/rpo-job.ts) puts `MachinesPastRpo`
 * per tenant (dimensions service = lifecycle-job, tenantId) on every run. An alarm per listed
 * tenant, and one over every tenant (a Metrics Insights query: tenants approved after the
 * deploy are watched too), page the operator topic (its e-mail subscription) when a machine is
 * past its RPO target, and say OK when none is.
 */
export class RpoAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: RpoAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const period = Duration.minutes(15);
    const add = (alarmId: string, metric: IMetric, description: string) => {
      const alarm = new Alarm(this, alarmId, {
        metric, threshold: 0, evaluationPeriods: 1, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING, alarmDescription: description,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    add('AnyTenant', new MathExpression({
      expression: `SELECT MAX(MachinesPastRpo) FROM SCHEMA("${METRICS_NAMESPACE}", service, tenantId)`,
      usingMetrics: {}, period, label: 'machines past their RPO (any tenant)',
    }), 'drcore: a machine of some tenant is past its RPO target (drcore admin lag)');
    for (const [i, tenantId] of props.tenants.entries()) {
      add(`Tenant${i}${tenantId.replace(/[^A-Za-z0-9]/g, '')}`, new Metric({
        namespace: METRICS_NAMESPACE, metricName: 'MachinesPastRpo', dimensionsMap: { service: 'lifecycle-job', tenantId }, statistic: 'Maximum', period,
      }), `drcore: a machine of tenant ${tenantId} is past its RPO target (drcore admin lag --tenant ${tenantId})`);
    }
  }
}

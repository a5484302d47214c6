/**
 * cdk-nag 3 AwsSolutionsChecks (issue 5, item 3): no finding left unacknowledged, and every
 * acknowledgment carries a reason. Checked on the default app and on one with every
 * optional parameter set, and once through the real path (`cdk synth` registers the checks
 * as a validation plugin and fails synthesis on an error).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/app.js';

const FULL_CONTEXT = {
  domainName: 'backup.msp.example.com',
  certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'msp.example.com',
  objectLock: 'true',
  alarmEmail: 'ops@msp.example.com',
};

function checked(context: Record<string, unknown>): { app: App; findings: string[] } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  buildApp(app, { nag: false });
  const report = new AwsSolutionsChecks().validateScope(app);
  const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`));
  return { app, findings };
}

function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const out: Array<{ path: string; id: string; reason: string }> = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) out.push({ path: c.node.path, id, reason });
    }
  }
  return out;
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it('the default (placeholder) app has no unacknowledged finding, error or warning', () => {
    const { findings } = checked({});
    assert.deepEqual(findings, []);
  });

  it('with domain, certificate, Route 53 zone, Object Lock and alarm e-mail: still none', () => {
    const { findings } = checked(FULL_CONTEXT);
    assert.deepEqual(findings, []);
  });

  it('every acknowledgment names an AwsSolutions rule and gives a real reason', () => {
    const { app } = checked(FULL_CONTEXT);
    const acks = acknowledgments(app);
    assert.ok(acks.length > 0);
    for (const a of acks) {
      assert.match(a.id, /AwsSolutions-[A-Z]+[0-9]+/, `${a.path}: ${a.id}`);
      assert.ok(a.reason.length >= 60, `${a.path}: ${a.id} needs a reason, got "${a.reason}"`);
    }
    // The reviewable list, printed with the test output.
    const rules = [...new Set(acks.map((a) => a.id.replace(/^\w+::/, '').replace(/\[.*$/, '')))].sort();
    console.log(`acknowledged rules: ${rules.join(', ')} (${acks.length} acknowledgments)`);
  });

  it('synthesis with the checks registered as a validation plugin succeeds (what `cdk synth` runs)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'drcore-cdk-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      buildApp(app);
      assert.doesNotThrow(() => app.synth());
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('a violation would fail that synthesis (the plugin is really registered)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'drcore-cdk-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      const { stack } = buildApp(app);
      // An unencrypted queue without TLS enforcement or DLQ: SQS2, SQS3, SQS4.
      new Queue(stack, 'Violation', { encryption: QueueEncryption.UNENCRYPTED });
      assert.throws(() => app.synth(), /Validation failed/);
      const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
      assert.match(report, /AwsSolutions-SQS3/);
      const paths = [...report.matchAll(/"constructPath": "([^"]+)"/g)].map((m) => m[1]);
      assert.ok(paths.length > 0 && paths.every((p) => p!.startsWith('Drcore/Violation')), `only the planted queue is reported: ${paths.join(', ')}`);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

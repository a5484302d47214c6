import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.js';
import { DrcoreStack } from './drcore-stack.js';

export interface BuildOptions {
  /** Register the cdk-nag AWS Solutions checks as a validation plugin (default true). */
  readonly nag?: boolean;
}

/**
 * The CDK app (`npx cdk synth|deploy`, see cdk.json). Parameters come from context; the
 * AWS Solutions checks of cdk-nag run at every synthesis and fail it on any finding that
 * is not acknowledged, with its reason, where the resource is made.
 */
export function buildApp(app: App = new App(), options: BuildOptions = {}): { app: App; stack: DrcoreStack } {
  // Server access logs are delivered under a bucket policy, not the legacy log-delivery ACL
  // (the access logs bucket enforces bucket-owner ownership: no ACLs at all).
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  const config = readConfig(app.node);
  const stackName: unknown = app.node.tryGetContext('stackName');
  const stack = new DrcoreStack(app, typeof stackName === 'string' && stackName !== '' ? stackName : 'Drcore', {
    config,
    description: 'drcore: event-sourced cloud target core for block-level backup replication',
    terminationProtection: !config.placeholders,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}

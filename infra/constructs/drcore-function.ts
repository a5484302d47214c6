import { join } from 'node:path';
import { type Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/runtime/env.js';

/** The checkout's root: functions/, package-lock.json and tsconfig.json live there. */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** The runtime and architecture of every drcore function (one place, asserted by the tests). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;
export const FUNCTION_ARCHITECTURE = Architecture.ARM_64;

/** Metric namespace of Powertools Metrics (and of the dashboard's custom widgets). */
export const METRICS_NAMESPACE = 'drcore';

/**
 * esbuild emits ESM (`index.mjs`); CommonJS dependencies bundled into it still call
 * `require` for Node built-ins, which ESM lacks: give them one (STACK-NOTES, middy).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __drcoreCreateRequire } from 'node:module'; const require = __drcoreCreateRequire(import.meta.url);";

export interface DrcoreFunctionProps {
  /** The file stem under functions/ (e.g. `pairing-api`); also the Powertools service name. */
  readonly name: string;
  readonly description: string;
  readonly timeout: Duration;
  /** MB; default 512. */
  readonly memorySize?: number;
  readonly logRetention?: RetentionDays;
  /** Built folders of the checkout (relative to it) copied into the bundle under their base name, e.g. the admin console's `dist/console-assets`. */
  readonly bundleFolders?: readonly string[];
}

/**
 * The commands that copy `folders` (relative to the checkout) into a function's bundle, each
 * under its base name; a folder that was not built fails the bundling with a word on how to build it.
 */
export function copyFoldersCommands(folders: readonly string[], inputDir: string, outputDir: string): string[] {
  return folders.map((f) => {
    const from = join(inputDir, f);
    const name = f.split('/').filter(Boolean).pop()!;
    return `test -d "${from}" || { echo "drcore: ${f} is missing: run npm run build before cdk synth/deploy" >&2; exit 1; }; cp -R "${from}" "${join(outputDir, name)}"`;
  });
}

/**
 * One Lambda function of drcore with fixed defaults: nodejs22.x on arm64, bundled by the
 * local esbuild (never Docker) into ESM, its own log group with a retention, its own role
 * that may write only that log group (no managed policies), and the Powertools settings.
 * Everything else it may touch is granted by the `bind…` helpers of the resource
 * constructs, which also set the environment variable that names the resource.
 */
export class DrcoreFunction extends Construct {
  readonly name: string;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: DrcoreFunctionProps) {
    super(scope, id);
    this.name = props.name;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `drcore ${props.name}: only what its bind helpers grant`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'functions', `${props.name}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        [ENV.adapters]: 'aws',
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle our own AWS SDK: the versions the tests ran against, not the runtime's.
        bundleAwsSDK: true,
        forceDockerBundling: false,
        tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
        ...(props.bundleFolders?.length ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (inputDir: string, outputDir: string) => copyFoldersCommands(props.bundleFolders ?? [], inputDir, outputDir),
          },
        } : {}),
      },
    });
    // The role must exist with its log permission before the function is created.
    this.fn.node.addDependency(this.role);

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x on purpose: drcore targets Node 22 (package.json engines, middy 7, the local runtime runs the very same handlers on Node 22). Runtime upgrades are a deliberate, tested change of FUNCTION_RUNTIME.',
    });
  }

  /** Sets an environment variable (used by the bind helpers, which grant at the same time). */
  addEnvironment(name: string, value: string): void {
    this.fn.addEnvironment(name, value);
  }
}

/**
 * Each Lambda bundle carries only the AWS SDK clients its function uses (issue 9, item 1):
 * every entry (functions/<name>.ts) names the adapters of the ports it uses, so the others are
 * not reachable and esbuild leaves them out. Bundled as DrcoreFunction bundles them (the local
 * esbuild, ESM, node22, minified, module-first main fields, the require banner); a client
 * counts as carried when some of its code is in the output.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER, PROJECT_ROOT } from '../../infra/constructs/drcore-function.js';

/** The clients of each function, as its grants in infra/drcore-stack.ts name the resources. */
const CLIENTS: Record<string, string[]> = {
  'admin-api': ['client-dynamodb', 'client-s3'], // event log, read models; the storage migration's index parts
  authorizer: ['client-dynamodb'], // event log (the certificate registry)
  'ca-bootstrap': ['client-dynamodb', 'client-s3', 'client-secrets-manager'], // registers the bundle certificates in the event log; CA and bundle secrets, truststore
  'lifecycle-job': ['client-dynamodb', 'client-s3', 'client-sns'], // event log, read models, its cursor; roll-up packs and index parts; the RPO notifications on the operator topic
  'pairing-api': ['client-dynamodb'], // event log
  projector: ['client-dynamodb', 'client-sqs'], // read models; the workflow outbox
  'replication-api': ['client-dynamodb', 'client-s3', 'client-sns'], // event log, read models, data bucket; quota warnings on the operator topic
  'whoami-api': [],
  'workflow-worker': ['client-dynamodb', 'client-s3', 'client-secrets-manager', 'client-sns', 'client-sqs'], // event log, read models (notifications), the operator topic, workflow queue, CA secret; the data bucket (verify, reports, GC steps) and the log anchors
};

async function bundle(name: string): Promise<{ bytes: number; clients: string[] }> {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'functions', `${name}.ts`)],
    bundle: true, platform: 'node', target: 'node22', format: 'esm', minify: true, mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER }, tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
    outfile: join(PROJECT_ROOT, 'cdk.out', 'bundle-test', `${name}.mjs`), write: false, metafile: true, logLevel: 'error',
  });
  const [output] = Object.values(result.metafile.outputs);
  assert.ok(output);
  const clients = new Set<string>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const client = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(path)?.[1];
    if (client && bytesInOutput > 0) clients.add(client);
  }
  return { bytes: output.bytes, clients: [...clients].sort() };
}

describe('Lambda bundles', () => {
  it('cover every entry under functions/', () => {
    const entries = readdirSync(join(PROJECT_ROOT, 'functions')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
    assert.deepEqual(entries, Object.keys(CLIENTS).sort());
  });

  for (const [name, expected] of Object.entries(CLIENTS)) {
    it(`${name} carries only the AWS SDK clients it uses: ${expected.join(', ') || 'none'}`, async (t) => {
      const { bytes, clients } = await bundle(name);
      t.diagnostic(`${name}: ${Math.round(bytes / 1024)} KiB, ${clients.join(' ') || 'no AWS SDK client'}`);
      assert.deepEqual(clients, expected);
    });
  }
});

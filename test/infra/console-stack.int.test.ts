/**
 * The admin console on AWS (issue 14): its routes go through the same API (mTLS custom domain,
 * the REQUEST authorizer) to the whoami-api function, whose bundle carries the built assets.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyFoldersCommands, PROJECT_ROOT } from '../../infra/constructs/drcore-function.js';
import { CONSOLE_BUNDLE_FOLDER } from '../../infra/drcore-stack.js';
import { findConsoleAssets } from '../../shared/http/console-assets.js';
import { referencedIds, refTarget, resourcesOf, synth } from './synth.js';

const sh = promisify(execFile);
const { json } = synth();

describe('the admin console on AWS', () => {
  it('GET /admin, /apprecovery/admin and their assets are methods behind the authorizer, proxied to the whoami-api function', () => {
    const resources = new Map(resourcesOf(json, 'AWS::ApiGateway::Resource'));
    const pathOf = (ref: unknown): string => {
      const id = refTarget(ref);
      const res = id === undefined ? undefined : resources.get(id);
      if (res === undefined) return '';
      return `${pathOf(res.Properties!['ParentId'])}/${String(res.Properties!['PathPart'])}`;
    };
    const whoami = resourcesOf(json, 'AWS::Lambda::Function').find(([id]) => id.startsWith('WhoamiApi'))?.[0];
    assert.ok(whoami, 'the whoami-api function');
    const byPath = new Map(resourcesOf(json, 'AWS::ApiGateway::Method').map(([, m]) => [`${String(m.Properties!['HttpMethod'])} ${pathOf(m.Properties!['ResourceId'])}`, m.Properties!]));
    for (const path of ['/admin', '/admin/assets/{asset}', '/apprecovery/admin', '/apprecovery/admin/assets/{asset}']) {
      const m = byPath.get(`GET ${path}`);
      assert.ok(m, `GET ${path} is a method`);
      assert.equal(m['AuthorizationType'], 'CUSTOM');
      const integration = m['Integration'] as Record<string, unknown>;
      assert.equal(integration['Type'], 'AWS_PROXY');
      assert.ok([...referencedIds(integration['Uri'])].some((r) => r.startsWith(`${whoami}.`) || r === whoami), `GET ${path} → whoami-api`);
    }
  });

  it("the whoami-api bundle gets the built console copied next to its index.mjs, where the handler finds it; an unbuilt console fails the bundling in words", async () => {
    const out = mkdtempSync(join(tmpdir(), 'drcore-bundle-'));
    const fakeRoot = mkdtempSync(join(tmpdir(), 'drcore-root-'));
    try {
      // The console as the project builds it (into a scratch root, as the bundler's input dir).
      await sh(process.execPath, [join(PROJECT_ROOT, 'scripts/build-console.mjs'), join(fakeRoot, 'dist')]);
      for (const cmd of copyFoldersCommands([CONSOLE_BUNDLE_FOLDER], fakeRoot, out)) await sh('sh', ['-c', cmd]);
      assert.ok(existsSync(join(out, 'console-assets', 'index.html')));
      assert.equal(findConsoleAssets(out, {}), join(out, 'console-assets'), 'found next to the bundle, as in /var/task');
      assert.match(readFileSync(join(out, 'console-assets', 'index.html'), 'utf8'), /src="admin\/assets\/app-[A-Z0-9]+\.js"/);

      const empty = mkdtempSync(join(tmpdir(), 'drcore-empty-'));
      try {
        const [cmd] = copyFoldersCommands([CONSOLE_BUNDLE_FOLDER], empty, out);
        await assert.rejects(sh('sh', ['-c', cmd!]), (e: Error & { stderr?: string }) => /run npm run build/.test(e.stderr ?? ''));
      } finally { rmSync(empty, { recursive: true, force: true }); }
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(fakeRoot, { recursive: true, force: true });
    }
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type RunningCore } from '../../local/serve.js';
import type { GatewayLimits } from '../../local/gateway-limits.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { ApiClient } from '../../cli/http-client.js';

const run = promisify(execFile);
export const ROOT = new URL('../..', import.meta.url).pathname;

/** A real target core in this test process: HTTPS + mTLS on 127.0.0.1, a random port, a temp data dir. */
export interface TestCore {
  core: RunningCore; dataDir: string; dir: string; url: string; deps: AppDeps;
  client(role: 'admin' | 'enrollment'): Promise<ApiClient>;
  stop(): Promise<void>;
}

export async function startCore(options: { dir?: string; keep?: boolean; gatewayLimits?: Partial<GatewayLimits>; deps?: (dataDir: string) => AppDeps } = {}): Promise<TestCore> {
  const dir = options.dir ?? await mkdtemp(join(tmpdir(), 'drcore-test-'));
  const dataDir = join(dir, 'data');
  const core = await serve({ dataDir, host: '127.0.0.1', port: 0, hostnames: [], ...(options.gatewayLimits ? { gatewayLimits: options.gatewayLimits } : {}), ...(options.deps ? { deps: options.deps } : {}) });
  const url = `https://localhost:${core.port}`;
  const clients: ApiClient[] = [];
  return {
    core, dataDir, dir, url, deps: core.deps,
    async client(role) {
      const p = core.pki;
      const [cert, key, ca] = await Promise.all([
        readFile(role === 'admin' ? p.adminCert : p.enrollmentCert, 'utf8'), readFile(role === 'admin' ? p.adminKey : p.enrollmentKey, 'utf8'), readFile(p.caCert, 'utf8'),
      ]);
      const c = new ApiClient(url, { cert, key, ca });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await core.stop();
      if (!options.keep) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the drcore CLI as a user would (Node 22 + tsx), returning its exit code and output. */
export async function drcore(args: string[], options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string; signal?: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], {
      cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 60_000, ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; signal?: string | null; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '', ...(err.signal ? { signal: err.signal } : {}) };
  }
}

export async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

/** Polls until `check` returns a value (not undefined), or fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every event in the log, for "nothing was appended" assertions. */
export async function logSize(deps: AppDeps): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await deps.events.readAll(cursor, 1000);
    n += page.events.length;
    if (!page.next || page.events.length === 0) return n;
    cursor = page.next;
  }
}

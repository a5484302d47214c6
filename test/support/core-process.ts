/**
 * A real target core as a child process (`drcore serve`) on a temp data dir and a free port,
 * as an operator runs it: for end-to-end tests and the benchmark. It can be killed with
 * SIGKILL and restarted on the same data dir and port; sources are paired through the API with
 * the admin bundle, leaving a source state dir exactly as `drcore source pair` does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ApiClient } from '../../cli/http-client.js';
import { createCsr } from '../../shared/pki/csr.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';

const fromSources = import.meta.url.endsWith('.ts');
/** The checkout when this module runs from the sources; dist/ when it runs from the build (the bench). */
export const ROOT = new URL('../..', import.meta.url).pathname;
const CHECKOUT = fromSources ? ROOT : join(ROOT, '..');
/** Node 22 with tsx, running the CLI from the TypeScript sources. */
export const SOURCE_CLI = [process.execPath, '--disable-warning=ExperimentalWarning', '--import', 'tsx', join(CHECKOUT, 'cli/main.ts')] as const;
/** The `drcore` bin, which runs the build in dist/ (what `npx drcore` and `npm start` run). */
export const BUILT_CLI = [process.execPath, join(CHECKOUT, 'cli/drcore.mjs')] as const;
/** The default CLI: the sources for the tests, the build for the bench (`npm run bench` runs dist/). */
export const CLI: readonly string[] = fromSources ? SOURCE_CLI : BUILT_CLI;

/**
 * `DRCORE_CPU_PROF_DIR=DIR npm run bench`: every core and CLI child writes a V8 CPU profile
 * (`node --cpu-prof`) into DIR when it exits (NODE_OPTIONS may not carry --cpu-prof).
 */
const profiling = (): string[] => {
  const dir = process.env['DRCORE_CPU_PROF_DIR'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Peak resident set size (VmHWM) of a live process, in bytes; 0 once it is gone. */
export function peakRss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch { return 0; }
}

/** CPU time (user + system) a live process has used, in seconds; 0 once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
  } catch { return 0; }
}

export interface PairedSource { stateDir: string; tenantId: string }

export class CoreProcess {
  child: ChildProcess | undefined;
  log = '';
  private constructor(readonly dataDir: string, readonly port: number, private readonly cli: readonly string[]) {}

  get url(): string { return `https://localhost:${this.port}`; }
  get pid(): number | undefined { return this.child?.pid; }
  get pki() {
    const d = join(this.dataDir, 'pki');
    return { ca: join(d, 'ca.pem'), adminCert: join(d, 'admin.pem'), adminKey: join(d, 'admin-key.pem'), enrollmentCert: join(d, 'enrollment.pem'), enrollmentKey: join(d, 'enrollment-key.pem') };
  }

  /** Starts `drcore serve --data DIR --port N` (with `cli`, default CLI) and waits until it listens. */
  static async start(dataDir: string, port?: number, cli: readonly string[] = CLI): Promise<CoreProcess> {
    const core = new CoreProcess(dataDir, port ?? (await freePort()), cli);
    await core.launch();
    return core;
  }

  async launch(): Promise<void> {
    const [node = process.execPath, ...args] = this.cli;
    const child = spawn(node, [...profiling(), ...args, 'serve', '--data', this.dataDir, '--port', String(this.port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`drcore serve did not start in 60 s:\n${this.log}`)), 60_000);
      const onData = (b: Buffer) => {
        this.log += b.toString();
        if (this.log.includes('listening on')) { clearTimeout(timer); resolve(); }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (b: Buffer) => { this.log += b.toString(); });
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`drcore serve exited (${code ?? signal}):\n${this.log}`)); });
    });
    child.removeAllListeners('exit');
  }

  /** SIGKILL: no shutdown, no flush — as a power cut would. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  async restart(): Promise<void> {
    // A profiled server writes its profile only on a clean exit.
    if (process.env['DRCORE_CPU_PROF_DIR']) await this.stop();
    else await this.kill9();
    this.log = '';
    await this.launch();
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  client(role: 'admin' | 'enrollment'): ApiClient {
    const p = this.pki;
    return new ApiClient(this.url, {
      cert: readFileSync(role === 'admin' ? p.adminCert : p.enrollmentCert, 'utf8'),
      key: readFileSync(role === 'admin' ? p.adminKey : p.enrollmentKey, 'utf8'),
      ca: readFileSync(p.ca, 'utf8'),
    });
  }

  /**
   * Pairs a new source core: key and CSR, pairing request (enrollment bundle), approval (admin
   * bundle), certificate pick-up; writes STATE/{key,cert,ca}.pem and pairing.json.
   */
  async pairSource(stateDir: string, name: string, quotaBytes = 2 ** 40): Promise<PairedSource> {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const keys = generateKeyPair();
    const enrollment = this.client('enrollment');
    const admin = this.client('admin');
    try {
      const coreId = name.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
      const created = await enrollment.json<{ id: string }>('POST', '/v1/pairing-requests', {
        coreName: name, coreId, email: `ops@${coreId}.example`, csr: createCsr(keys, name),
      });
      const approved = await retry(() => admin.json<{ tenantId?: string }>('POST', `/v1/admin/pairing-requests/${created.id}/approve`, { quotaBytes }));
      const view = await retry(async () => {
        const v = await enrollment.json<{ certificate?: string; caCertificate?: string; tenantId?: string }>('GET', `/v1/pairing-requests/${created.id}`);
        if (!v.certificate || !v.caCertificate) throw new Error('certificate not issued yet');
        return v;
      });
      writeFileSync(join(stateDir, 'key.pem'), privateKeyToPem(keys.privateKey), { mode: 0o600 });
      writeFileSync(join(stateDir, 'cert.pem'), view.certificate!);
      writeFileSync(join(stateDir, 'ca.pem'), view.caCertificate!);
      const tenantId = view.tenantId ?? approved.tenantId ?? '';
      writeFileSync(join(stateDir, 'pairing.json'), `${JSON.stringify({
        target: this.url, requestId: created.id, coreId, coreName: name, email: `ops@${coreId}.example`,
        enrollmentCert: this.pki.enrollmentCert, enrollmentKey: this.pki.enrollmentKey, ca: this.pki.ca, status: 'approved', tenantId,
      }, null, 2)}\n`);
      return { stateDir, tenantId };
    } finally {
      enrollment.close();
      admin.close();
    }
  }
}

async function retry<T>(fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { return await fn(); } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface CliRun {
  code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; pid: number | undefined;
  /** Peak RSS and CPU seconds of the child, as last sampled before it exited (every 50 ms). */
  peakRss: number; cpuSeconds: number;
}

/**
 * Runs `drcore ARGS` as a child process (`cli`, default CLI; `env`, default this process's); `onSpawn` may act on it while it runs (e.g. kill it).
 * The child's peak RSS is sampled from /proc until it exits.
 */
export function runCli(args: readonly string[], options: { onSpawn?: (child: ChildProcess) => void; timeoutMs?: number; cli?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const [node = process.execPath, ...pre] = options.cli ?? CLI;
  const child = spawn(node, [...profiling(), ...pre, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  let cpu = 0;
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid));
    cpu = Math.max(cpu, cpuSeconds(child.pid));
  }, 50);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
  options.onSpawn?.(child);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      const done = () => resolve({ code, signal, stdout, stderr, peakRss: peak, cpuSeconds: cpu, pid: child.pid });
      child.stdout.once('end', done);
      if (child.stdout.readableEnded) done();
    });
  });
}

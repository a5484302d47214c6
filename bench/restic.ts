/**
 * restic beside drcore in the same bench run (issue 10): restic 0.14 from Debian, its
 * repository served by `rclone serve restic` over mutual TLS with the core's own server
 * certificate and CA and the source's client certificate — the same TLS setup drcore uses —
 * or, without rclone, a local repository (the report says which). Same image, same
 * mutations, same order as drcore; `--compression auto`, `-o rest.connections=N` with drcore's
 * parallelism. Each phase gets a fresh rclone process, so its peak RSS is that phase's.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cpuSeconds, freePort, peakRss, runCli, type CliRun } from '../test/support/core-process.js';

const exec = promisify(execFile);

export type ResticTransport = 'rclone serve restic, mutual TLS' | 'local repository';

export interface ResticRun {
  /** Wall seconds of the restic process, start to exit. */
  seconds: number;
  /** Repository bytes after the phase, and what the phase added. */
  repoBytes: number; addedBytes: number;
  clientPeakRss: number; clientCpuSeconds: number;
  serverPeakRss: number; serverCpuSeconds: number;
  /** restore only: cmp against the image. */
  identical?: boolean;
}

export interface Tls { serverCert: string; serverKey: string; ca: string; caKey: string }

/**
 * restic's client certificate: a 2048-bit RSA key, issued by the core's CA with openssl. Not the
 * source's own certificate: Go's crypto/x509 (restic 0.14 and rclone 1.60, Go 1.19) refuses
 * to parse drcore certificates ("malformed extension OID field": the identity extension's OID
 * has a UUID arc under 2.25, wider than 64 bits). Same CA, same key size, same TLS.
 */
async function issueClientCertificate(dir: string, tls: Tls): Promise<string> {
  const key = join(dir, 'restic-client-key.pem');
  const csr = join(dir, 'restic-client.csr');
  const cert = join(dir, 'restic-client-cert.pem');
  const ext = join(dir, 'restic-client.ext');
  writeFileSync(ext, 'extendedKeyUsage=clientAuth\n');
  await exec('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/CN=restic-bench', '-out', csr]);
  await exec('openssl', ['x509', '-req', '-in', csr, '-CA', tls.ca, '-CAkey', tls.caKey, '-set_serial', '0x0b3c4d', '-days', '2', '-extfile', ext, '-out', cert]);
  const combined = join(dir, 'restic-client.pem'); // restic wants the certificate and its key in one file
  writeFileSync(combined, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'), { mode: 0o600 });
  return combined;
}

async function version(cmd: string): Promise<string | undefined> {
  try {
    const { stdout } = await exec(cmd, ['version']);
    return stdout.split('\n')[0]?.trim();
  } catch { return undefined; }
}

/**
 * restic's and rclone's versions, installing both from Debian when restic is missing and
 * `install` allows it (root with apt-get: `apt-get install -y restic rclone`). `why` says why
 * restic cannot run.
 */
export async function findRestic(install: boolean, log: (line: string) => void): Promise<{ restic?: string; rclone?: string; why?: string }> {
  let restic = await version('restic');
  if (!restic && install) {
    if (process.getuid?.() !== 0) return { why: 'restic is not installed, and installing it needs root (apt-get install -y restic rclone)' };
    log('restic is not installed: apt-get install -y restic rclone');
    try {
      await exec('apt-get', ['install', '-y', '-qq', 'restic', 'rclone'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch (err) {
      return { why: `apt-get install -y restic rclone failed: ${(err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(err)}` };
    }
    restic = await version('restic');
  }
  if (!restic) return { why: install ? 'restic is not installed and could not be installed' : 'restic is not installed (apt-get install -y restic rclone)' };
  const rclone = await version('rclone');
  return rclone ? { restic, rclone } : { restic };
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return total;
}

export class ResticSide {
  readonly transport: ResticTransport;
  private readonly repoDir: string;
  private readonly cacheDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private clientPem = '';
  private server: ChildProcess | undefined;
  private port = 0;
  private lastRepoBytes = 0;

  constructor(private readonly dir: string, private readonly tls: Tls, private readonly parallel: number, rclone: boolean) {
    this.transport = rclone ? 'rclone serve restic, mutual TLS' : 'local repository';
    this.repoDir = join(dir, 'restic-repo');
    this.cacheDir = join(dir, 'restic-cache');
    mkdirSync(this.repoDir, { recursive: true });
    this.env = { ...process.env, RESTIC_PASSWORD: 'drcore-bench', RESTIC_CACHE_DIR: this.cacheDir, RESTIC_PROGRESS_FPS: '0.1' };
  }

  /** The local state restic keeps on the source side (its cache). */
  cacheBytes(): number {
    try { return bytesUnder(this.cacheDir); } catch { return 0; }
  }

  private repoArgs(): string[] {
    if (this.transport === 'local repository') return ['-r', join(this.repoDir, 'bench')];
    return ['-r', `rest:https://localhost:${this.port}/bench/`, '--cacert', this.tls.ca, '--tls-client-cert', this.clientPem, '-o', `rest.connections=${this.parallel}`];
  }

  private async startServer(): Promise<void> {
    if (this.transport === 'local repository') return;
    this.port = await freePort();
    const child = spawn('rclone', ['serve', 'restic', this.repoDir, '--addr', `127.0.0.1:${this.port}`,
      '--cert', this.tls.serverCert, '--key', this.tls.serverKey, '--client-ca', this.tls.ca], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.server = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`rclone serve restic did not start:\n${log}`)), 30_000);
      child.stderr.on('data', (b: Buffer) => {
        log += b.toString();
        if (/Serving restic REST API/i.test(log)) { clearTimeout(timer); resolve(); }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`rclone serve restic exited (${code}):\n${log}`)); });
    });
    child.removeAllListeners('exit');
  }

  private async stopServer(): Promise<{ peakRss: number; cpuSeconds: number }> {
    const child = this.server;
    this.server = undefined;
    if (!child) return { peakRss: 0, cpuSeconds: 0 };
    const used = { peakRss: peakRss(child.pid), cpuSeconds: cpuSeconds(child.pid) };
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
    return used;
  }

  private async restic(args: string[], what: string): Promise<{ run: CliRun; seconds: number; server: { peakRss: number; cpuSeconds: number } }> {
    await this.startServer();
    const started = performance.now();
    const run = await runCli([...this.repoArgs(), '--compression', 'auto', ...args], { cli: ['restic'], env: this.env, timeoutMs: 3_600_000 });
    const seconds = (performance.now() - started) / 1000;
    const server = await this.stopServer();
    if (run.code !== 0) throw new Error(`restic ${what} failed (${run.code ?? run.signal}):\n${run.stderr}`);
    return { run, seconds, server };
  }

  async init(): Promise<void> {
    if (this.transport !== 'local repository') this.clientPem = await issueClientCertificate(this.dir, this.tls);
    await this.restic(['init', '--repository-version', '2'], 'init');
    this.lastRepoBytes = bytesUnder(this.repoDir);
  }

  private result(r: { run: CliRun; seconds: number; server: { peakRss: number; cpuSeconds: number } }): ResticRun {
    const repoBytes = bytesUnder(this.repoDir);
    const addedBytes = repoBytes - this.lastRepoBytes;
    this.lastRepoBytes = repoBytes;
    return {
      seconds: r.seconds, repoBytes, addedBytes, clientPeakRss: r.run.peakRss, clientCpuSeconds: r.run.cpuSeconds,
      serverPeakRss: r.server.peakRss, serverCpuSeconds: r.server.cpuSeconds,
    };
  }

  async backup(image: string): Promise<ResticRun> {
    return this.result(await this.restic(['backup', '--json', '--host', 'bench', image], 'backup'));
  }

  /** Restores the latest snapshot into DIR/restic-restored and compares the image with cmp. */
  async restore(image: string): Promise<ResticRun> {
    const target = join(this.dir, 'restic-restored');
    const r = this.result(await this.restic(['restore', 'latest', '--target', target], 'restore'));
    let identical = true;
    try { await exec('cmp', [image, join(target, image)]); } catch { identical = false; }
    rmSync(target, { recursive: true, force: true });
    return { ...r, identical };
  }

  async close(): Promise<void> {
    await this.stopServer();
  }
}

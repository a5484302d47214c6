/**
 * The raw mTLS upload ceiling of this machine: PUT 4 MiB bodies over `parallel` keep-alive
 * mutual-TLS connections to a server process that discards them (ceiling-server.ts), with the
 * source's certificate and the core's server certificate — the same TLS stack, the same
 * parallelism and request size as replication, minus everything replication does.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { ROOT, cpuSeconds, peakRss } from '../test/support/core-process.js';
import { keystream } from './image.js';

export interface CeilingResult { mbPerSec: number; bytes: number; seconds: number; serverPeakRss: number; serverCpuSeconds: number }

const BODY = 4 * 1024 * 1024;

export async function measureCeiling(o: { serverKey: string; serverCert: string; ca: string; clientCert: string; clientKey: string; parallel: number; bytes: number }): Promise<CeilingResult> {
  // The server next to this module: the .ts source through tsx, or the built .js (npm run bench).
  const server = import.meta.url.endsWith('.ts') ? ['--import', 'tsx', join(ROOT, 'bench/ceiling-server.ts')] : [join(ROOT, 'bench/ceiling-server.js')];
  const child = spawn(process.execPath, [...server, o.serverKey, o.serverCert, o.ca], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`ceiling server exited with ${code}`)));
  });
  const agent = new Agent({
    cert: readFileSync(o.clientCert, 'utf8'), key: readFileSync(o.clientKey, 'utf8'), ca: readFileSync(o.ca, 'utf8'),
    keepAlive: true, maxSockets: o.parallel, minVersion: 'TLSv1.2',
  });
  const body = keystream('ceiling', 'body', BODY);
  const put = () => new Promise<void>((resolve, reject) => {
    const req = request({ host: 'localhost', port, path: '/v1/discard', method: 'PUT', agent, headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`ceiling server answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  try {
    for (let i = 0; i < o.parallel; i++) await put(); // warm up: handshakes and sockets
    const requests = Math.max(o.parallel * 4, Math.ceil(o.bytes / BODY));
    let next = 0;
    const cpu0 = cpuSeconds(child.pid);
    const started = performance.now();
    await Promise.all(Array.from({ length: o.parallel }, async () => { while (next++ < requests) await put(); }));
    const seconds = (performance.now() - started) / 1000;
    const bytes = requests * BODY;
    return { mbPerSec: bytes / seconds / 1e6, bytes, seconds, serverPeakRss: peakRss(child.pid), serverCpuSeconds: cpuSeconds(child.pid) - cpu0 };
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
  }
}

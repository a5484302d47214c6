import { CliError, parseSize, UsageError } from './args.js';
import { define } from './command.js';
import { DATA, JSON_OUTPUT } from './options.js';
import { serve as serveCore } from '../local/serve.js';
import { LOG_ANCHORS } from './log-anchors.js';

/** `drcore serve`: the embedded target core; runs until SIGINT/SIGTERM. */
export const serve = define({
  name: 'serve',
  summary: 'Run the target core on this machine: HTTPS with mutual TLS, data and PKI in DATA (made on first start, reused after).',
  details: 'Prints where the CA, the admin bundle (PEM for the CLI, PKCS#12 for a browser) and the enrollment bundle are. SIGINT/SIGTERM stop it cleanly.',
  options: {
    ...DATA,
    host: { type: 'string', value: 'ADDR', description: 'Address to listen on', default: '127.0.0.1' },
    port: { type: 'string', value: 'PORT', description: 'Port to listen on, 0..65535 (0: any free port)', default: '8006' },
    hostname: { type: 'string', value: 'NAME', description: "Extra DNS name for the server certificate's SANs", multiple: true },
    ...LOG_ANCHORS,
    'checkpoint-every': { type: 'string', value: 'MINUTES', description: 'Write a signed checkpoint of the event log (its stream heads) every MINUTES, and at start; 0: never', default: '60' },
    'verify-every': { type: 'string', value: 'HOURS', description: 'Run the verify job (re-read and re-hash stored chunks) every HOURS, the first one HOURS after start; 0: never', default: '24' },
    'verify-older-than': { type: 'string', value: 'DAYS', description: 'The scheduled verify re-checks RPs not verified for DAYS (0: all of them every time)', default: '7' },
    'verify-rate': { type: 'string', value: 'SIZE', description: 'The scheduled verify reads at most SIZE per second (e.g. 64M)', default: '64M' },
    'seed-inbox': { type: 'string', value: 'DIR', description: 'The seed inbox: the one directory seed imports read from (default DATA/seed-inbox)' },
    ...JSON_OUTPUT,
  },
  run: async ({ values }, io) => {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port must be 0..65535, not ${values.port}`);
    const number = (flag: string, text: string): number => {
      const n = Number(text);
      if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a non-negative number, not ${text}`);
      return n;
    };
    let rate: number;
    try { rate = parseSize(values['verify-rate']); } catch (e) { throw new UsageError(`--verify-rate: ${(e as Error).message}`); }
    const olderThan = number('verify-older-than', values['verify-older-than']);
    if (!Number.isInteger(olderThan)) throw new UsageError('--verify-older-than must be a whole number of days');
    const schedules = {
      checkpointEveryMs: number('checkpoint-every', values['checkpoint-every']) * 60_000,
      verifyEveryMs: number('verify-every', values['verify-every']) * 3_600_000,
      verifyOlderThanDays: olderThan, verifyRateBytesPerSecond: rate,
    };
    let core: Awaited<ReturnType<typeof serveCore>>;
    try {
      core = await serveCore({
        dataDir: values.data, host: values.host, port, hostnames: values.hostname ?? [], schedules,
        ...(values['log-anchors'] !== undefined ? { logAnchors: values['log-anchors'] } : {}),
        ...(values['seed-inbox'] !== undefined ? { seedInbox: values['seed-inbox'] } : {}),
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${values.host} is already in use`, 'another drcore serve may be running; pick another port with --port PORT', { cause: e });
      if (code === 'EACCES' && port < 1024) throw new CliError(`no permission to listen on port ${port}`, 'ports below 1024 need privileges; pick another with --port PORT', { cause: e });
      if (code === 'EADDRNOTAVAIL') throw new CliError(`${values.host} is not an address of this machine`, 'pass --host ADDR (e.g. 127.0.0.1 or 0.0.0.0)', { cause: e });
      throw e;
    }
    const p = core.pki;
    // With --json the one JSON line is the only thing on stdout; the lifecycle lines go to stderr.
    const say = values.json ? io.err : io.out;
    if (values.json) {
      io.out(JSON.stringify({ url: core.url, port: core.port, dataDir: p.dir.replace(/\/pki$/, ''), pki: p }));
    } else {
      io.out(`drcore target core listening on ${core.url} (mutual TLS; client certificate required)`);
      io.out(`  data:                ${p.dir.replace(/\/pki$/, '')}`);
      io.out(`  CA certificate:      ${p.caCert}`);
      io.out(`  admin (CLI, PEM):    ${p.adminCert}  ${p.adminKey}`);
      io.out(`  admin (browser):     ${p.adminP12}  (password in ${p.adminP12Password})`);
      io.out(`  enrollment bundle:   ${p.enrollmentCert}  ${p.enrollmentKey}`);
      io.out(`  admin console:       ${core.url}/admin  (import the admin PKCS#12 above into the browser)`);
      for (const r of core.reissued) {
        io.out(`  reissued:            the ${r.role} bundle: certificate ${r.revokedSerial} was revoked; new key and certificate ${r.serial} in the files above${r.role === 'admin' ? ' (new PKCS#12 password too)' : ''}`);
      }
      io.out('  try: npx drcore admin requests');
    }
    return new Promise<number>((resolveStop) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        say(`${signal}: shutting down…`);
        core.stop().then(() => { say('stopped; all state is on disk'); resolveStop(0); }, (e: unknown) => { io.err(`drcore: shutdown failed: ${String(e)}`); resolveStop(1); });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  },
});

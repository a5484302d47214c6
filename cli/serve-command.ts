import { parse, UsageError } from './args.js';
import { serve } from '../local/serve.js';

type Out = (line: string) => void;

/** `drcore serve [--data DIR] [--host 127.0.0.1] [--port 8006] [--hostname NAME …]` — runs until SIGINT/SIGTERM. */
export async function serveCommand(argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, {
    data: { type: 'string', default: '.drcore' }, host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8006' }, hostname: { type: 'string', multiple: true },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, not ${values.port}`);
  const core = await serve({ dataDir: values.data, host: values.host, port, hostnames: values.hostname ?? [] });
  const p = core.pki;
  out(`drcore target core listening on ${core.url} (mutual TLS; client certificate required)`);
  out(`  data:                ${p.dir.replace(/\/pki$/, '')}`);
  out(`  CA certificate:      ${p.caCert}`);
  out(`  admin (CLI, PEM):    ${p.adminCert}  ${p.adminKey}`);
  out(`  admin (browser):     ${p.adminP12}  (password in ${p.adminP12Password})`);
  out(`  enrollment bundle:   ${p.enrollmentCert}  ${p.enrollmentKey}`);
  for (const r of core.reissued) {
    out(`  reissued:            the ${r.role} bundle: certificate ${r.revokedSerial} was revoked; new key and certificate ${r.serial} in the files above${r.role === 'admin' ? ' (new PKCS#12 password too)' : ''}`);
  }
  out('  try: npx drcore admin requests');
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      out(`${signal}: shutting down…`);
      core.stop().then(() => { out('stopped; all state is on disk'); resolveStop(); }, (e: unknown) => { out(`shutdown error: ${String(e)}`); resolveStop(); });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

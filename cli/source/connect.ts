import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ReplicationApi } from '../../source/api.js';
import { completeRenewal } from '../../source/renewal.js';
import { HttpsTransport, readTlsIdentity } from '../../source/transport.js';
import type { HttpTransport } from '../../source/client.js';
import { unlimited, type BandwidthLimit } from '../../source/bandwidth/bandwidth-limit.js';
import { ThrottledTransport } from '../../source/bandwidth/throttled-transport.js';
import { CliError, UsageError } from '../args.js';
import { readPairing, stateDir } from '../../source/pairing-state.js';

/**
 * The replication API as this source core: its certificate and key from the state dir
 * (cert.pem, key.pem, ca.pem, written by `drcore source pair`), the target from pairing.json
 * unless --target overrides it. `parallel` keep-alive connections carry packs or chunks; two
 * more carry the small control requests (missing, commit) so they never queue behind a pack.
 */
export function sourceApi(values: { state?: string | undefined; target?: string | undefined }, parallel: number, bandwidth?: BandwidthLimit): { api: ReplicationApi; client: HttpsTransport; transport: HttpTransport; dir: string } {
  const dir = stateDir(values.state);
  completeRenewal(dir); // a renewal a crash cut in two: key.pem and cert.pem belong together again
  const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'ca.pem') };
  if (!existsSync(files.cert) || !existsSync(files.key)) {
    throw new CliError(`not paired: no certificate in ${dir}`, 'drcore source pair … --wait pairs this source core; or pass --state DIR');
  }
  const target = values.target ?? readPairing(dir)?.target;
  if (!target) throw new CliError(`no target: ${join(dir, 'pairing.json')} is missing`, 'pass --target URL or set DRCORE_URL');
  const client = new HttpsTransport(target, readTlsIdentity(files), parallel + 2);
  // The upload stream under the bandwidth limit (the source's, lowered to the target's per-tenant limit).
  const transport: HttpTransport = bandwidth && !unlimited(bandwidth) ? new ThrottledTransport(client, bandwidth) : client;
  return { api: new ReplicationApi(transport), client, transport, dir };
}

/** --parallel N (1..64, default 4). */
export function parallelOf(text: string | undefined, fallback = 4): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--parallel must be 1..64, not ${text}`);
  return n;
}

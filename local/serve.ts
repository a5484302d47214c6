import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import type { AppDeps } from '../shared/app/deps.js';
import { setDeps } from '../shared/runtime/deps.js';
import { localDeps } from '../shared/runtime/local-deps.js';
import { ENV } from '../shared/runtime/env.js';
import { listProjectionDeadLetters } from '../shared/app/projections/projection-dead-letters.js';
import { logger } from '../shared/runtime/logger.js';
import { subjectAltNamesFor } from '../shared/pki/server-cert.js';
import { bootstrapLocalPki, type PkiPaths, type ReissuedBundle } from './pki-bootstrap.js';
import { assertCurrentLogFormat } from '../shared/app/log-format.js';
import { createGateway } from './gateway.js';
import type { GatewayLimits } from './gateway-limits.js';
import { startQueuePoller } from './queue-poller.js';
import { startStreamDispatcher } from './stream-dispatcher.js';
import { requestMetering } from './request-metering.js';

export interface ServeOptions {
  dataDir: string; host: string; port: number; hostnames: string[];
  /**
   * Other adapters behind the same runtime (the end-to-end run on the AWS adapters); default: the
   * local ones over dataDir. Called before the PKI bootstrap, which registers the bootstrap
   * certificates in their event log: read the CA on first use (as localDeps does).
   */
  deps?: (dataDir: string) => AppDeps;
  /** Connection and timeout limits of the gateway; each one defaults to DEFAULT_GATEWAY_LIMITS'. */
  gatewayLimits?: Partial<GatewayLimits>;
}

export interface RunningCore {
  url: string; port: number; pki: PkiPaths;
  /** The HTTPS server of the local gateway (its connections, for tests and metrics). */
  gateway: Server;
  /** Bootstrap bundles replaced at this start because the registry had revoked them. */
  reissued: readonly ReissuedBundle[];
  stop(): Promise<void>;
}

/**
 * `drcore serve`: the embedded target core. The same handlers as Lambda, behind the local
 * gateway, with the queue poller and the stream dispatcher as the event source mappings.
 */
export async function serve(options: ServeOptions): Promise<RunningCore> {
  const dataDir = resolve(options.dataDir);
  process.env[ENV.dataDir] = dataDir;
  process.env[ENV.adapters] = options.deps ? 'injected' : 'local';
  subjectAltNamesFor(options.hostnames); // a bad --hostname is refused before anything is written
  const base = (options.deps ?? localDeps)(dataDir);
  // DRCORE_COUNT_REQUESTS=1 (npm run bench): ports and handlers counted, dumped on SIGUSR2.
  const metering = requestMetering(dataDir);
  const deps = metering.deps(base);
  const closeDeps = () => Promise.all([base.events.close?.(), base.queue.close?.(), base.readModels.close?.(), base.operational.close?.()]);
  // Before anything appends: a log of the first stream-id format is refused, not extended.
  // Then the PKI bootstrap: the CA and the bundles, every bootstrap certificate registered (so
  // the authorizer knows it, and it can be listed and revoked); a revoked bundle is reissued.
  let pki: PkiPaths;
  let reissued: readonly ReissuedBundle[];
  try {
    await assertCurrentLogFormat(deps.events);
    ({ paths: pki, reissued } = await bootstrapLocalPki(dataDir, { events: deps.events, hostnames: options.hostnames, now: deps.clock() }));
  } catch (e) {
    await closeDeps();
    throw e;
  }
  setDeps(deps);

  for (const r of reissued) {
    logger.warn('bootstrap bundle was revoked: reissued with a new key', { role: r.role, revokedSerial: r.revokedSerial, serial: r.serial });
  }
  const deadLetters = (await listProjectionDeadLetters(deps.operational)).length;
  if (deadLetters > 0) {
    logger.warn('projection dead letters: events the projector gave up on (drcore admin dead-letters)', { count: deadLetters });
  }

  // Handlers are imported after the deps are set: their module-level clients find them.
  const [pairing, admin, replication, whoami, authorizer, worker, projector] = await Promise.all([
    import('../functions/pairing-api.js'), import('../functions/admin-api.js'), import('../functions/replication-api.js'),
    import('../functions/whoami-api.js'), import('../functions/authorizer.js'), import('../functions/workflow-worker.js'),
    import('../functions/projector.js'),
  ]);
  const server = createGateway({
    tls: { key: readFileSync(pki.serverKey, 'utf8'), cert: readFileSync(pki.serverCert, 'utf8'), ca: readFileSync(pki.caCert, 'utf8') },
    functions: metering.api({ 'pairing-api': pairing.handler, 'admin-api': admin.handler, 'replication-api': replication.handler, 'whoami-api': whoami.handler }),
    authorizer: metering.worker('authorizer', authorizer.handler),
    ...(options.gatewayLimits ? { limits: options.gatewayLimits } : {}),
  });
  const dispatcher = startStreamDispatcher(base.events, base.operational, metering.worker('projector', projector.handler));
  const poller = startQueuePoller(base.queue, 'workflow', metering.worker('workflow-worker', worker.handler));
  const stopWorkers = async () => {
    metering.stop();
    await Promise.all([dispatcher.stop(), poller.stop()]);
    await closeDeps();
  };
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port, options.host, () => ok());
    });
  } catch (err) {
    // e.g. EADDRINUSE: nothing may keep running (the process would never exit).
    await stopWorkers();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host === '127.0.0.1' || options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `https://${shownHost}:${port}`, port, pki, gateway: server, reissued,
    stop: async () => {
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
      await stopWorkers();
    },
  };
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import type { AppDeps } from '../shared/app/deps.js';
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
import { startLifecycleTimers, type LifecycleSchedules } from './lifecycle-timers.js';
import { startLifecycleScheduler } from './lifecycle-scheduler.js';
import { RETENTION_INTERVAL_MINUTES, RPO_INTERVAL_MINUTES } from '../shared/app/lifecycle/jobs.js';
import { requestMetering } from './request-metering.js';
import { makeHandler as adminApi } from '../functions/handlers/admin-api.js';
import { makeHandler as authorizer } from '../functions/handlers/authorizer.js';
import { makeHandler as pairingApi } from '../functions/handlers/pairing-api.js';
import { makeHandler as projector } from '../functions/handlers/projector.js';
import { makeHandler as replicationApi } from '../functions/handlers/replication-api.js';
import { makeHandler as whoamiApi } from '../functions/handlers/whoami-api.js';
import { makeHandler as workflowWorker } from '../functions/handlers/workflow-worker.js';
import { makeHandler as lifecycleJob } from '../functions/handlers/lifecycle-job.js';

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
  /** The signed checkpoints of the event log (default DATA/log-anchors; local adapters only). */
  logAnchors?: string;
  /** The seed inbox directory: the one place seed imports read from (default DATA/seed-inbox; local adapters only). */
  seedInbox?: string;
  /** The lifecycle's local schedules (log checkpoints, verify runs): none unless given (`drcore serve` gives them). */
  schedules?: LifecycleSchedules;
  /**
   * Between two runs of the lifecycle jobs (retention), as EventBridge's rate on AWS; 0: never.
   * Default: DRCORE_LIFECYCLE_INTERVAL_SECONDS, else RETENTION_INTERVAL_MINUTES. The jobs read
   * the deps clock, so a test injects time through `deps`.
   */
  lifecycleIntervalMs?: number;
  /** Between two runs of the RPO job (issue 13); 0: never. Default RPO_INTERVAL_MINUTES, 0 when lifecycleIntervalMs is 0. */
  rpoIntervalMs?: number;
}

function lifecycleInterval(options: ServeOptions): number {
  if (options.lifecycleIntervalMs !== undefined) return options.lifecycleIntervalMs;
  const env = process.env[ENV.lifecycleInterval];
  if (env === undefined || env === '') return RETENTION_INTERVAL_MINUTES * 60_000;
  const seconds = Number(env);
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`${ENV.lifecycleInterval} must be a number of seconds ≥ 0, not ${JSON.stringify(env)}`);
  return seconds * 1000;
}

export interface RunningCore {
  url: string; port: number; pki: PkiPaths;
  /** The adapters this core's handlers run over (its own: another core in the process has others). */
  deps: AppDeps;
  /** The HTTPS server of the local gateway (its connections, for tests and metrics). */
  gateway: Server;
  /** Bootstrap bundles replaced at this start because the registry had revoked them. */
  reissued: readonly ReissuedBundle[];
  /** Runs the lifecycle jobs (retention, then RPO) once now (after a run in progress), as a tick of the schedule would. */
  runLifecycleJobs(): Promise<void>;
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
  const lifecycleMs = lifecycleInterval(options); // so is a bad DRCORE_LIFECYCLE_INTERVAL_SECONDS
  const base = options.deps ? options.deps(dataDir) : localDeps(dataDir, {
    ...(options.logAnchors !== undefined ? { logAnchors: resolve(options.logAnchors) } : {}),
    ...(options.seedInbox !== undefined ? { seedInbox: resolve(options.seedInbox) } : {}),
  });
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

  for (const r of reissued) {
    logger.warn('bootstrap bundle was revoked: reissued with a new key', { role: r.role, revokedSerial: r.revokedSerial, serial: r.serial });
  }
  const deadLetters = (await listProjectionDeadLetters(deps.operational)).length;
  if (deadLetters > 0) {
    logger.warn('projection dead letters: events the projector gave up on (drcore admin dead-letters)', { count: deadLetters });
  }

  const server = createGateway({
    tls: { key: readFileSync(pki.serverKey, 'utf8'), cert: readFileSync(pki.serverCert, 'utf8'), ca: readFileSync(pki.caCert, 'utf8') },
    functions: metering.api({ 'pairing-api': pairingApi(deps), 'admin-api': adminApi(deps), 'replication-api': replicationApi(deps), 'whoami-api': whoamiApi() }),
    authorizer: metering.worker('authorizer', authorizer(deps)),
    ...(options.gatewayLimits ? { limits: options.gatewayLimits } : {}),
  });
  const dispatcher = startStreamDispatcher(base.events, base.operational, metering.worker('projector', projector(deps)));
  const poller = startQueuePoller(base.queue, 'workflow', metering.worker('workflow-worker', workflowWorker(deps)));
  const timers = startLifecycleTimers(deps, options.schedules ?? {});
  const lifecycleFn = metering.worker('lifecycle-job', lifecycleJob(deps));
  const scheduler = startLifecycleScheduler(lifecycleFn, { intervalMs: lifecycleMs });
  const rpoScheduler = startLifecycleScheduler(lifecycleFn, { job: 'rpo', intervalMs: options.rpoIntervalMs ?? (lifecycleMs === 0 ? 0 : RPO_INTERVAL_MINUTES * 60_000) });
  const stopWorkers = async () => {
    metering.stop();
    await Promise.all([scheduler.stop(), rpoScheduler.stop()]);
    await Promise.all([dispatcher.stop(), poller.stop(), timers.stop()]);
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
    url: `https://${shownHost}:${port}`, port, pki, deps, gateway: server, reissued,
    runLifecycleJobs: async () => { await scheduler.runNow(); await rpoScheduler.runNow(); },
    stop: async () => {
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
      await stopWorkers();
    },
  };
}

/**
 * Request counting for the benchmark (`npm run bench`): with DRCORE_COUNT_REQUESTS=1,
 * `drcore serve` puts every port behind its counting wrapper (shared/adapters/counting) and
 * times every handler invocation, per function and per API route (the port calls a handler
 * makes are attributed to its function). On SIGUSR2 it writes the
 * counters to DATA/request-counts.json (atomically: written beside, then renamed), with its
 * pid and a sequence number, so a caller can tell a fresh dump from an older one.
 *
 * The stream dispatcher and the queue poller stand in for AWS's event source mappings, whose
 * reads of the table's stream are not billed as table reads: serve hands them the adapters
 * unwrapped, and counts only the invocations of the projector and the worker.
 * Without the variable every method here returns what it is given.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { AppDeps } from '../shared/app/deps.js';
import { countingDeps } from '../shared/adapters/counting/counting-deps.js';
import { RequestCounter, type CounterSnapshot } from '../shared/adapters/counting/request-counter.js';
import type { ApiHandler } from './gateway.js';

export const COUNT_REQUESTS_ENV = 'DRCORE_COUNT_REQUESTS';
export const REQUEST_COUNTS_FILE = 'request-counts.json';

/** What DATA/request-counts.json holds. */
export interface RequestCountsDump { pid: number; seq: number; at: string; counts: CounterSnapshot }

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

export interface RequestMetering {
  deps(inner: AppDeps): AppDeps;
  /** API functions by name: each invocation counted for its function and its route. */
  api<K extends string>(functions: Record<K, ApiHandler>): Record<K, ApiHandler>;
  /** A function that is not behind a route (authorizer, projector, worker). */
  worker<E, R>(name: string, handler: Handler<E, R>): Handler<E, R>;
  stop(): void;
}

const OFF: RequestMetering = { deps: (d) => d, api: (f) => f, worker: (_, h) => h, stop: () => undefined };

export function requestMetering(dataDir: string, env: NodeJS.ProcessEnv = process.env): RequestMetering {
  if (env[COUNT_REQUESTS_ENV] !== '1') return OFF;
  const counter = new RequestCounter();
  let seq = 0;
  const file = join(dataDir, REQUEST_COUNTS_FILE);
  const dump = () => {
    const body: RequestCountsDump = { pid: process.pid, seq: ++seq, at: new Date().toISOString(), counts: counter.snapshot() };
    writeFileSync(`${file}.tmp`, `${JSON.stringify(body)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  process.on('SIGUSR2', dump);
  const timed = <E, R>(name: string, handler: Handler<E, R>, routeOf?: (e: E) => string, failed: (r: R) => boolean = () => false): Handler<E, R> =>
    async (event, context) => {
      const started = performance.now();
      const route = routeOf?.(event);
      try {
        const result = await counter.run(name, () => handler(event, context));
        counter.invocation(name, performance.now() - started, failed(result), route);
        return result;
      } catch (err) {
        counter.invocation(name, performance.now() - started, true, route);
        throw err;
      }
    };
  return {
    deps: (inner) => countingDeps(inner, counter),
    api: <K extends string>(functions: Record<K, ApiHandler>) => Object.fromEntries(
      (Object.entries(functions) as [K, ApiHandler][]).map(([name, h]) => [name, timed(name, h, (e) => `${e.httpMethod} ${e.resource}`, (r) => r.statusCode >= 500)]),
    ) as Record<K, ApiHandler>,
    worker: (name, handler) => timed(name, handler),
    stop: () => { process.off('SIGUSR2', dump); },
  };
}

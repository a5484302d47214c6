/**
 * What the counting wrappers (counting-*.ts) record: per port and method the calls, the
 * failed calls, the bytes in and out, and the AWS requests and capacity units the same call
 * would cost on the AWS adapters (shared/adapters/aws); per function the invocations and the
 * handler's wall milliseconds; per API route the requests and their handler milliseconds.
 *
 * Port calls made while a counted function runs (RequestCounter.run, AsyncLocalStorage) are
 * also recorded under that function, so a cost model can scale one function's calls (the
 * authorizer's, which AWS caches) apart from the others'.
 *
 * Modeled on restic's backend wrappers: the wrapper sits between the application and the real
 * adapter, passes every result and every error through unchanged, and only counts. Counters
 * only grow; a phase's figures are the difference of two snapshots (diffSnapshots).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What an AWS bill counts: S3 PUT-class (PUT, LIST) and GET-class (GET, HEAD) requests, DynamoDB read and write units, SQS requests. */
export type AwsUnit = 's3Put' | 's3Get' | 'dynamoRead' | 'dynamoWrite' | 'sqs';
export type AwsUnits = Partial<Record<AwsUnit, number>>;
export const AWS_UNITS: readonly AwsUnit[] = ['s3Put', 's3Get', 'dynamoRead', 'dynamoWrite', 'sqs'];

export interface CallCount {
  /** Every call, failed ones included. */
  calls: number;
  errors: number;
  /** Bytes handed to the port (stored), and returned by it (read). */
  bytesIn: number;
  bytesOut: number;
  /** Items a call carried (events appended or read, keys listed, messages received). */
  items: number;
  units: AwsUnits;
}

export interface InvocationCount {
  invocations: number;
  errors: number;
  /** Handler wall time, summed. */
  ms: number;
  /** Σ ceil(ms) per invocation: Lambda bills each invocation in whole milliseconds. */
  billedMs: number;
}

export type PortCounts = Record<string, Record<string, CallCount>>;

export interface CounterSnapshot {
  /** port → method → counts. */
  ports: PortCounts;
  /** function → port → method → counts: the calls made while that function ran ('' for none). */
  byFunction: Record<string, PortCounts>;
  /** function name (infra's DrcoreFunction names) → invocations. */
  functions: Record<string, InvocationCount>;
  /** `METHOD /resource/{param}` → API requests that reached a handler. */
  routes: Record<string, InvocationCount>;
}

export interface CallFacts {
  bytesIn?: number;
  bytesOut?: number;
  items?: number;
  units?: AwsUnits;
}

const emptyCall = (): CallCount => ({ calls: 0, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units: {} });
const emptyInvocation = (): InvocationCount => ({ invocations: 0, errors: 0, ms: 0, billedMs: 0 });

function addCall(ports: PortCounts, port: string, method: string, failed: boolean, facts: CallFacts): void {
  const methods = (ports[port] ??= {});
  const c = (methods[method] ??= emptyCall());
  c.calls += 1;
  if (failed) c.errors += 1;
  c.bytesIn += facts.bytesIn ?? 0;
  c.bytesOut += facts.bytesOut ?? 0;
  c.items += facts.items ?? 0;
  for (const u of AWS_UNITS) {
    const n = facts.units?.[u];
    if (n) c.units[u] = (c.units[u] ?? 0) + n;
  }
}

export class RequestCounter {
  readonly #current = new AsyncLocalStorage<string>();
  readonly #ports: PortCounts = {};
  readonly #byFunction: CounterSnapshot['byFunction'] = {};
  readonly #functions: CounterSnapshot['functions'] = {};
  readonly #routes: CounterSnapshot['routes'] = {};

  /** One port call and what it cost. */
  call(port: string, method: string, failed: boolean, facts: CallFacts = {}): void {
    addCall(this.#ports, port, method, failed, facts);
    addCall((this.#byFunction[this.#current.getStore() ?? ''] ??= {}), port, method, failed, facts);
  }

  /** Runs `f` as function `fn`: the port calls it makes are attributed to `fn`. */
  run<T>(fn: string, f: () => Promise<T>): Promise<T> {
    return this.#current.run(fn, f);
  }

  /** One invocation of a function (and, for an API function, of its route). */
  invocation(fn: string, ms: number, failed: boolean, route?: string): void {
    addInvocation((this.#functions[fn] ??= emptyInvocation()), ms, failed);
    if (route !== undefined) addInvocation((this.#routes[route] ??= emptyInvocation()), ms, failed);
  }

  /** A deep copy, plain JSON. */
  snapshot(): CounterSnapshot {
    return structuredClone({ ports: this.#ports, byFunction: this.#byFunction, functions: this.#functions, routes: this.#routes });
  }
}

function addInvocation(c: InvocationCount, ms: number, failed: boolean): void {
  c.invocations += 1;
  if (failed) c.errors += 1;
  c.ms += ms;
  c.billedMs += Math.max(1, Math.ceil(ms));
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `call` and counts it; its result or error comes back unchanged. `facts` must not throw. */
export async function countCall<T>(
  counter: RequestCounter, port: string, method: string, call: () => Promise<T>,
  facts: (outcome: Outcome<T>) => CallFacts,
): Promise<T> {
  let value: T;
  try {
    value = await call();
  } catch (error) {
    counter.call(port, method, true, facts({ ok: false, error }));
    throw error;
  }
  counter.call(port, method, false, facts({ ok: true, value }));
  return value;
}

function diffRecord<T extends object>(after: Record<string, T>, before: Record<string, T> | undefined, diff: (a: T, b: T | undefined) => T, isEmpty: (t: T) => boolean): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, a] of Object.entries(after)) {
    const d = diff(a, before?.[k]);
    if (!isEmpty(d)) out[k] = d;
  }
  return out;
}

function diffCall(a: CallCount, b: CallCount | undefined): CallCount {
  const units: AwsUnits = {};
  for (const u of AWS_UNITS) {
    const n = (a.units[u] ?? 0) - (b?.units[u] ?? 0);
    if (n) units[u] = n;
  }
  return {
    calls: a.calls - (b?.calls ?? 0), errors: a.errors - (b?.errors ?? 0), bytesIn: a.bytesIn - (b?.bytesIn ?? 0),
    bytesOut: a.bytesOut - (b?.bytesOut ?? 0), items: a.items - (b?.items ?? 0), units,
  };
}

function diffInvocation(a: InvocationCount, b: InvocationCount | undefined): InvocationCount {
  return { invocations: a.invocations - (b?.invocations ?? 0), errors: a.errors - (b?.errors ?? 0), ms: a.ms - (b?.ms ?? 0), billedMs: a.billedMs - (b?.billedMs ?? 0) };
}

/** What happened between two snapshots of one counter (`before` undefined: since it started). Entries that did not change are left out. */
function diffPorts(after: PortCounts, before: PortCounts | undefined): PortCounts {
  const ports: PortCounts = {};
  for (const [port, methods] of Object.entries(after)) {
    const d = diffRecord(methods, before?.[port], diffCall, (c) => c.calls === 0);
    if (Object.keys(d).length) ports[port] = d;
  }
  return ports;
}

export function diffSnapshots(after: CounterSnapshot, before?: CounterSnapshot): CounterSnapshot {
  const byFunction: CounterSnapshot['byFunction'] = {};
  for (const [fn, ports] of Object.entries(after.byFunction)) {
    const d = diffPorts(ports, before?.byFunction[fn]);
    if (Object.keys(d).length) byFunction[fn] = d;
  }
  return {
    ports: diffPorts(after.ports, before?.ports),
    byFunction,
    functions: diffRecord(after.functions, before?.functions, diffInvocation, (c) => c.invocations === 0),
    routes: diffRecord(after.routes, before?.routes, diffInvocation, (c) => c.invocations === 0),
  };
}

/** Total calls of every port: the bench waits until two snapshots agree on it (the core is idle). */
export function totalCalls(s: CounterSnapshot): number {
  let n = 0;
  for (const methods of Object.values(s.ports)) for (const c of Object.values(methods)) n += c.calls;
  for (const f of Object.values(s.functions)) n += f.invocations;
  return n;
}

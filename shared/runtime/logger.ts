import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/**
 * Cold start: the process's first invocation, whichever function it was — on Lambda one
 * function per environment; the local runtime is one on-demand environment for all of them.
 * (Powertools' own rule reports true only where AWS_LAMBDA_INITIALIZATION_TYPE is on-demand,
 * i.e. never locally.) An environment initialized ahead of time has no cold start.
 */
let coldStart = process.env['AWS_LAMBDA_INITIALIZATION_TYPE'] !== 'provisioned-concurrency';

/** Powertools' Logger, with a child per invocation that carries its Lambda context. */
class DrcoreLogger extends Logger {
  #coldStart = false;

  protected override createLogger(options?: ConstructorOptions): DrcoreLogger {
    return new DrcoreLogger(options);
  }

  /** What addContext writes as `cold_start`. */
  protected override getColdStart(): boolean {
    return this.#coldStart;
  }

  /** A child that carries `context` (request id, function, cold start). */
  forInvocation(context: Context): DrcoreLogger {
    const child = this.createChild() as DrcoreLogger;
    child.#coldStart = coldStart;
    coldStart = false;
    child.addContext(context);
    return child;
  }
}

/**
 * One Powertools logger per process. JSON lines; never given secrets: callers log ids,
 * statuses and counts, not certificates, keys, passwords or bodies.
 */
const root = new DrcoreLogger({
  serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'drcore',
  logLevel: (process.env['POWERTOOLS_LOG_LEVEL'] ?? process.env['DRCORE_LOG_LEVEL'] ?? 'INFO') as 'INFO',
});

const invocation = new AsyncLocalStorage<Logger>();
const current = (): Logger => invocation.getStore() ?? root;

/**
 * The logger to use everywhere. Inside an invocation (withLoggerContext) its lines carry that
 * invocation's Lambda context — `function_request_id`, `cold_start`, function name, ARN and
 * memory — and outside one, the process's keys only.
 */
export const logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'> = {
  debug: (input: LogItemMessage, ...extra: LogItemExtraInput) => current().debug(input, ...extra),
  info: (input: LogItemMessage, ...extra: LogItemExtraInput) => current().info(input, ...extra),
  warn: (input: LogItemMessage, ...extra: LogItemExtraInput) => current().warn(input, ...extra),
  error: (input: LogItemMessage, ...extra: LogItemExtraInput) => current().error(input, ...extra),
};

/**
 * Runs `fn` (one invocation, its middlewares included) with its own child logger carrying
 * `context`: not the process logger's keys, because the local runtime runs invocations of
 * every function concurrently in one process, and each line must keep its own request id.
 */
export function withLoggerContext<T>(context: Context, fn: () => Promise<T>): Promise<T> {
  return invocation.run(root.forInvocation(context), fn);
}

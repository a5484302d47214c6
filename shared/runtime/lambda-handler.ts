import type { Context } from 'aws-lambda';
import { withLoggerContext } from './logger.js';
import { withMetrics } from './metrics.js';

/**
 * Every drcore Lambda entry: its invocations log with their request id and cold start
 * (logger.ts) and publish the metrics they recorded (metrics.ts). A wrapper rather than a
 * middy middleware: the logger's context must span the whole invocation, middlewares included.
 */
export function lambdaHandler<E, R>(handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return (event, context) => withLoggerContext(context, () => withMetrics(() => handler(event, context)));
}

import { CliError, UsageError } from './args.js';

/**
 * How a failed command reads on stderr: one `drcore: …` line and, where useful, one `hint: …`
 * line; exit code 2 for usage errors, 1 for everything else. No stack trace unless
 * DRCORE_DEBUG=1. HTTP errors are duck-typed ({status, problem}) so this module imports no client.
 */
export interface Failure { code: 1 | 2; message: string; hint?: string | undefined }

/** The command that failed: `admin approve`; its group decides which flag names the server. */
export interface FailedCommand { name: string }

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused', ENOTFOUND: 'unknown host', EAI_AGAIN: 'name lookup failed', ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out', EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable', EPIPE: 'connection closed',
};
const TLS = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

type Errno = NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };

function errnoOf(error: unknown): Errno | undefined {
  const e = error instanceof AggregateError && error.errors.length ? error.errors[0] as unknown : error;
  return e instanceof Error && typeof (e as Errno).code === 'string' ? e as Errno : undefined;
}

function httpOf(error: unknown): { status: number } | undefined {
  const s = (error as { status?: unknown } | undefined)?.status;
  return error instanceof Error && typeof s === 'number' && 'problem' in error ? { status: s } : undefined;
}

function serverFlag(c: FailedCommand): string {
  return c.name.startsWith('source') ? '--target URL' : '--url URL';
}

function statusHint(status: number, c: FailedCommand): string | undefined {
  const admin = c.name.startsWith('admin');
  if (status === 401 || status === 403) {
    return admin ? 'the admin certificate was refused: check --data DIR (DRCORE_DATA) and that it is not revoked'
      : 'the client certificate was refused: is it revoked, or from another core? (--state DIR)';
  }
  if (status === 429) return 'the target core is limiting requests: wait a moment and retry';
  if (status >= 500) return 'the target core failed: see its log, then retry';
  return undefined;
}

export function failureOf(error: unknown, c: FailedCommand): Failure {
  if (error instanceof UsageError) return { code: 2, message: error.message, hint: error.hint ?? `drcore ${c.name} --help` };
  if (error instanceof CliError) return { code: 1, message: error.message, hint: error.hint };
  const http = httpOf(error);
  if (http) return { code: 1, message: (error as Error).message, hint: statusHint(http.status, c) };
  const errno = errnoOf(error);
  if (errno?.code && NETWORK[errno.code]) {
    const where = errno.address ? `${errno.address}${errno.port ? `:${errno.port}` : ''}` : errno.hostname ?? 'the target core';
    return { code: 1, message: `cannot reach ${where}: ${NETWORK[errno.code]}`, hint: `is the target core running there? pass ${serverFlag(c)} or set DRCORE_URL` };
  }
  if (errno?.code && TLS.test(errno.code)) {
    return { code: 1, message: `TLS with the target core failed: ${errno.message}`, hint: 'the CA or client certificate does not belong to this core' };
  }
  if (errno?.code === 'ENOENT' || errno?.code === 'EACCES' || errno?.code === 'EISDIR' || errno?.code === 'ENOTDIR') {
    return { code: 1, message: errno.message.replace(/^(\w+): /, '') };
  }
  const message = error instanceof Error ? error.message || error.name : String(error);
  return { code: 1, message: message.split('\n')[0]!, hint: 'set DRCORE_DEBUG=1 to see the stack trace' };
}

/** Writes the failure to stderr and returns the exit code. */
export function report(error: unknown, c: FailedCommand, err: (line: string) => void, debug = process.env['DRCORE_DEBUG'] === '1'): number {
  const f = failureOf(error, c);
  err(`drcore: ${f.message}`);
  if (f.hint) err(`hint: ${f.hint}`);
  if (debug && error instanceof Error) {
    err(error.stack ?? String(error));
    if (error.cause instanceof Error) err(`cause: ${error.cause.stack ?? String(error.cause)}`);
  }
  return f.code;
}

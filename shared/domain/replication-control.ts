/**
 * The operator's control of incoming replication (issue 13): a pause with a reason (per tenant
 * or per machine: the source gets 423 Replication Paused and waits), a tenant's lease end (after
 * it writes are refused, reads keep working), and the RPO target a machine's lag is measured
 * against. The rules the tenant and machine deciders share; pure.
 */
import { isDisplayText, DISPLAY_TEXT_RULE } from './display-text.js';
import { DomainError } from './errors.js';

export const MAX_REASON_LENGTH = 500;
/** RPO targets from one minute to 90 days. */
export const MIN_RPO_SECONDS = 60;
export const MAX_RPO_SECONDS = 90 * 86_400;

export function checkPauseReason(reason: string): string {
  const r = reason.trim();
  if (r === '' || r.length > MAX_REASON_LENGTH) throw new DomainError('invalid', `a pause reason is 1..${MAX_REASON_LENGTH} characters`);
  if (!isDisplayText(r)) throw new DomainError('invalid', `a pause reason ${DISPLAY_TEXT_RULE}`);
  return r;
}

export function checkRpoTarget(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < MIN_RPO_SECONDS || seconds > MAX_RPO_SECONDS) {
    throw new DomainError('invalid', `an RPO target is a whole number of seconds, ${MIN_RPO_SECONDS}..${MAX_RPO_SECONDS}`);
  }
}

/** A tenant's upload limit: 64 KiB/s (512 kbit) at least, whole bytes per second. */
export const MIN_BANDWIDTH_LIMIT = 64 * 1024;
export function checkBandwidthLimit(bytesPerSecond: number): void {
  if (!Number.isSafeInteger(bytesPerSecond) || bytesPerSecond < MIN_BANDWIDTH_LIMIT) throw new DomainError('invalid', `a bandwidth limit is a whole number of bytes per second, at least ${MIN_BANDWIDTH_LIMIT}`);
}

/** A lease end is an ISO 8601 UTC time (as Date#toISOString writes it). */
export function checkLeaseEnd(at: string): void {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(at) || Number.isNaN(Date.parse(at))) {
    throw new DomainError('invalid', `a lease end is an ISO 8601 UTC time like 2027-06-30T00:00:00Z, not ${JSON.stringify(at)}`);
  }
}

/** Whether a lease ending at `leaseEndsAt` is over at `now`. */
export const leaseOver = (leaseEndsAt: string | undefined, now: Date): boolean =>
  leaseEndsAt !== undefined && Date.parse(leaseEndsAt) <= now.getTime();

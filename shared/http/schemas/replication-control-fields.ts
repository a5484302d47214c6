import { z } from 'zod';
import { MAX_RPO_SECONDS, MIN_RPO_SECONDS } from '../../domain/replication-control.js';

/** The RPO target and the lease end as request fields (approval, and their own routes; issue 13). */
export const rpoTargetSeconds = z.number().int().min(MIN_RPO_SECONDS).max(MAX_RPO_SECONDS);
export const leaseEndsAt = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'must be an ISO 8601 UTC time like 2027-06-30T00:00:00Z');

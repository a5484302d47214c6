import { z } from 'zod';
import { leaseEndsAt, rpoTargetSeconds } from './replication-control-fields.js';
import { DISPLAY_TEXT_PATTERN, DISPLAY_TEXT_RULE, MULTILINE_TEXT_PATTERN, MULTILINE_TEXT_RULE } from '../../domain/display-text.js';
import { DEFAULT_BIN_DAYS, DEFAULT_RETENTION, describeKeep, KEEP_RULES, MAX_BIN_DAYS, MAX_KEEP, MIN_BIN_DAYS, type KeepRule } from '../../domain/retention-policy.js';
import { ID_PATTERN, STREAM_ID_PATTERN } from '../../ids.js';
import { NAME_VALUE_MAX_LENGTH } from '../../pki/ca.js';
import { MAX_CSR_PEM_LENGTH } from '../../pki/csr.js';

/** Request schemas: they validate at the edge and generate the OpenAPI document. */
export const id = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9._-]{1,64}');
/** One line of text shown to people (shared/domain/display-text.ts). */
export const displayText = (max: number) => z.string().trim().min(1).max(max).regex(DISPLAY_TEXT_PATTERN, DISPLAY_TEXT_RULE);
const text = displayText;
const multilineText = (max: number) => z.string().max(max).regex(MULTILINE_TEXT_PATTERN, MULTILINE_TEXT_RULE);

export const PairingRequestBody = z.object({
  coreName: text(NAME_VALUE_MAX_LENGTH).describe(`The source core's display name; it becomes the certificate's CN, so at most ${NAME_VALUE_MAX_LENGTH} characters`),
  coreId: id.describe('The source core\'s own stable id'),
  email: z.string().trim().max(254).email().regex(DISPLAY_TEXT_PATTERN, DISPLAY_TEXT_RULE).describe('Contact e-mail of the customer'),
  customerId: id.optional(),
  message: multilineText(2000).optional(),
  csr: z.string().max(MAX_CSR_PEM_LENGTH).startsWith('-----BEGIN CERTIFICATE REQUEST-----', 'must be a PEM certificate signing request')
    .describe('PKCS#10 CSR, PEM: an RSA key of 2048 to 4096 bits with e = 65537, signed with SHA-256/384/512 (PKCS#1 v1.5)'),
}).strict();

/** A tenant's retention (shared/domain/retention-policy.ts): PBS's keep-* counts per machine, and the recycle bin's days. */
const keepCount = z.number().int().min(0).max(MAX_KEEP);
export const RetentionBody = z.object({
  keep: z.object(Object.fromEntries(KEEP_RULES.map((r) => [r, keepCount.optional().describe(`keep-${r}`)])) as Record<KeepRule, z.ZodOptional<typeof keepCount>>)
    .strict().describe("Proxmox Backup Server's keep-last, -hourly, -daily, -weekly, -monthly, -yearly counts; the ones left out are 0; all 0 keeps everything"),
  binDays: z.number().int().min(MIN_BIN_DAYS).max(MAX_BIN_DAYS).optional().describe(`Days an expired or deleted RP stays in the recycle bin (default ${DEFAULT_BIN_DAYS})`),
}).strict();

/** Quota: bytes, at least 1 MiB, at most 1 PiB. */
export const ApproveBody = z.object({
  quotaBytes: z.number().int().min(1024 * 1024).max(2 ** 50),
  customerId: id.optional(),
  note: multilineText(2000).optional(),
  retention: RetentionBody.optional().describe(`The tenant's retention; default ${describeKeep(DEFAULT_RETENTION.keep)}, ${DEFAULT_RETENTION.binDays} days in the recycle bin`),
  rpoTargetSeconds: rpoTargetSeconds.optional().describe('The RPO target its machines are measured against (issue 13)'),
  leaseEndsAt: leaseEndsAt.optional().describe('The lease end: writes refused after it, reads kept'),
}).strict();

export const RejectBody = z.object({ reason: text(2000) }).strict();
export const EmptyBody = z.object({}).strict();

export const PairingListQuery = z.object({
  status: z.enum(['pending', 'approved', 'rejected', 'ignored', 'failed', 'all']).optional(),
}).strict();

export const EventsQuery = z.object({
  stream: z.string().regex(STREAM_ID_PATTERN, 'must be a stream id kind:id[:id], e.g. tenant:t-1').optional(),
  after: z.string().regex(/^[A-Za-z0-9+/=_-]{1,512}$/).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
}).strict();

export const RevokeBody = z.object({ reason: text(500) }).strict();

/** Revoking any certificate by serial: every certificate is in the registry, so the reason is all it takes. */
export const RevokeAnyBody = z.object({ reason: text(500) }).strict();

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day YYYY-MM-DD (UTC)');
export const UsageQuery = z.object({
  from: day.describe('First day (UTC), inclusive'),
  to: day.describe('Last day (UTC), inclusive'),
  tenant: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional().describe('One tenant only'),
}).strict().refine((q) => q.from <= q.to, 'from must not be after to')
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, 'a report covers at most 367 days: ask for a year at a time');

export const SuspendBody = z.object({ reason: text(500).describe('Shown to the tenant\'s source core in its 403 Tenant Suspended') }).strict();
export const QuotaBody = z.object({ quotaBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('The new quota in bytes') }).strict();

/** One step of the storage migration (layout 1 → 2): from a log cursor, at most `limit` RPs. */
export const MigrateStorageBody = z.object({
  after: z.string().regex(/^[A-Za-z0-9+/=_-]{1,512}$/).optional().describe('The `next` of the previous step'),
  limit: z.number().int().min(1).max(100).optional().describe('RPs to index in this step (default 20)'),
}).strict();

export const GcStartBody = z.object({
  dryRun: z.boolean().optional().describe('Mark and plan only: report what the run would free, change nothing'),
  graceSeconds: z.number().int().min(0).max(365 * 86_400).optional().describe('Packs and uploads younger than this are never touched (default 24 h 5 min)'),
  settleSeconds: z.number().int().min(0).max(86_400).optional().describe('Between condemning packs and deleting them: longer than any upload or commit request runs (default 120)'),
  repackBelowPercent: z.number().min(0).max(100).optional().describe('Repack packs whose live bytes are below this share of their size (default 50; 0: never)'),
  maxRepackPacks: z.number().int().min(0).max(100_000).optional().describe('At most this many packs repacked by the run (default 1024)'),
}).strict();

export const GcCancelBody = z.object({
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).describe('The run to cancel (the one under way)'),
  reason: z.string().min(1).max(500),
}).strict();

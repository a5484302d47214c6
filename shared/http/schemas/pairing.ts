import { z } from 'zod';
import { ID_PATTERN, STREAM_ID_PATTERN } from '../../ids.js';

/** Request schemas: they validate at the edge and generate the OpenAPI document. */
export const id = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9._-]{1,64}');
const text = (max: number) => z.string().trim().min(1).max(max);

export const PairingRequestBody = z.object({
  coreName: text(128).describe('The source core\'s display name'),
  coreId: id.describe('The source core\'s own stable id'),
  email: z.string().trim().max(254).email().describe('Contact e-mail of the customer'),
  customerId: id.optional(),
  message: z.string().max(2000).optional(),
  csr: z.string().max(16 * 1024).startsWith('-----BEGIN CERTIFICATE REQUEST-----', 'must be a PEM certificate signing request').describe('PKCS#10 CSR, PEM'),
}).strict();

/** Quota: bytes, at least 1 MiB, at most 1 PiB. */
export const ApproveBody = z.object({
  quotaBytes: z.number().int().min(1024 * 1024).max(2 ** 50),
  customerId: id.optional(),
  note: z.string().max(2000).optional(),
}).strict();

export const RejectBody = z.object({ reason: text(2000) }).strict();
export const EmptyBody = z.object({}).strict();

export const PairingListQuery = z.object({
  status: z.enum(['pending', 'approved', 'rejected', 'ignored', 'all']).optional(),
}).strict();

export const EventsQuery = z.object({
  stream: z.string().regex(STREAM_ID_PATTERN, 'must be a stream id kind:id[:id], e.g. tenant:t-1').optional(),
  after: z.string().regex(/^[A-Za-z0-9+/=_-]{1,512}$/).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
}).strict();

export const RevokeBody = z.object({ reason: text(500) }).strict();

/** Revoking by serial: `certificate` (PEM) registers one the registry never saw (a bootstrap bundle on AWS) before revoking it. */
export const RevokeAnyBody = z.object({
  reason: text(500),
  certificate: z.string().max(16 * 1024).startsWith('-----BEGIN CERTIFICATE-----', 'must be a PEM certificate').optional(),
}).strict();

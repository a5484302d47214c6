import { z } from 'zod';

/**
 * Response bodies of the pairing routes. The route table names them (shared/http/routes.ts),
 * the handlers' reply() is typed by them, and the OpenAPI document is generated from them.
 * Strict objects: a field the handler sends but the schema does not name fails the
 * conformance test (test/int/openapi-conformance.int.test.ts).
 */
export const PairingStatus = z.enum(['pending', 'approved', 'rejected', 'ignored', 'failed']);
const pem = z.string().describe('PEM');

export const PairingView = z.strictObject({
  id: z.string(), status: PairingStatus, coreName: z.string(), coreId: z.string(), email: z.string(),
  customerId: z.string().optional(), message: z.string().optional(),
  requestedAt: z.string(), updatedAt: z.string(),
  feedback: z.array(z.strictObject({ at: z.string(), message: z.string() })).describe('What happened to the request so far, for the source core'),
  tenantId: z.string().optional(), quotaBytes: z.number().int().optional(), reason: z.string().optional(),
  certificateSerial: z.string().optional(),
  certificate: pem.optional().describe('The source core\'s certificate (PEM), once approved and issued'),
  caCertificate: pem.optional().describe('The core\'s CA certificate (PEM), once approved and issued'),
}).describe('A pairing request as its source core sees it');

export const PairingRequestSummary = z.strictObject({
  id: z.string(), status: PairingStatus, coreName: z.string(), coreId: z.string(), email: z.string(),
  customerId: z.string().optional(), message: z.string().optional(), requestedAt: z.string(), updatedAt: z.string(),
  acknowledged: z.boolean(), tenantId: z.string().optional(), reason: z.string().optional(), certificateSerial: z.string().optional(),
  certificateFailure: z.strictObject({ reason: z.string(), retryable: z.boolean(), at: z.string() }).optional()
    .describe('The last failure to issue the certificate (cleared once one is delivered)'),
  version: z.number().int(),
});

export const PairingRequestList = z.strictObject({ items: z.array(PairingRequestSummary) });

import { z } from 'zod';

/** Response bodies of the admin reads the console added (issue 14). */
export const LogVerification = z.strictObject({
  ok: z.boolean().describe('true: every hash chain verifies'),
  events: z.number().int(), streams: z.number().int(),
  firstBreak: z.strictObject({ streamId: z.string(), version: z.number().int(), reason: z.string(), position: z.string().optional() }).optional()
    .describe('The first event whose chain does not verify'),
  firstFormat: z.strictObject({ streamId: z.string(), position: z.string().optional() }).optional().describe('A stream id of the first log format: this drcore cannot serve the log'),
  anchor: z.strictObject({ checkpoint: z.string().nullable(), at: z.string().optional(), streams: z.number().int().optional(), problem: z.string().optional() }).optional(),
}).describe('The hash-chain check of the whole event log (drcore admin verify-log, without the anchors)');

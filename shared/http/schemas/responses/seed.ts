import { z } from 'zod';

/** Response bodies of the seed import routes (./pairing.ts explains the strictness). */
const SeedProblem = z.strictObject({ file: z.string().describe('The file in the seed folder (medium-NN/…)'), problem: z.string() });
const fields = {
  importId: z.string(), tenantId: z.string(), prefix: z.string(), status: z.enum(['running', 'completed', 'failed']),
  requestedAt: z.string(), requestedBy: z.string(), updatedAt: z.string(),
  phase: z.enum(['verify', 'store', 'commit']).optional(),
  filesDone: z.number().int().optional(), filesTotal: z.number().int().optional(), bytesDone: z.number().int().optional(), bytesTotal: z.number().int().optional(),
  seedId: z.string().optional(), machineId: z.string().optional(), rpIds: z.array(z.string()).optional().describe('The RPs committed (completed)'),
  storedBytes: z.number().int().optional().describe('Bytes the import added to the tenant\'s usage'),
  reason: z.string().optional().describe('Why it failed'),
};
export const SeedImportView = z.strictObject({ ...fields, problems: z.array(SeedProblem).describe('Each bad file and what is wrong with it') });
export const SeedImportList = z.strictObject({ items: z.array(z.strictObject({ ...fields, problems: z.array(SeedProblem).optional() })) });

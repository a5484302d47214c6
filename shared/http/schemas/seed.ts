import { z } from 'zod';
import { id } from './pairing.js';

/** Request schemas of the seed import routes (shared/app/seed, docs/seeding.md). */
export const SeedImportBody = z.object({
  tenantId: id.describe('The tenant the seed is for (it must be signed by one of its source cores)'),
  prefix: z.string().min(1).max(1024).describe('The seed\'s folder in the seed inbox (its medium-NN folders are below it), relative to the inbox; locally also an absolute path inside it'),
}).strict();

export const SeedImportListQuery = z.object({ tenantId: id.optional() }).strict();

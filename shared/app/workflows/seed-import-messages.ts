import { z } from 'zod';
import { ID_PATTERN } from '../../ids.js';

/** The seed import's steps on the `workflow` queue (shared/app/seed/seed-import-job.ts). At-least-once: a step repeats harmlessly. */
export const SeedImportMessage = z.object({ type: z.literal('SeedImportStep'), importId: z.string().regex(ID_PATTERN) }).strict();
export type SeedImportMessage = z.infer<typeof SeedImportMessage>;

export const isSeedImportMessage = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'SeedImportStep';

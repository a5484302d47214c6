/**
 * The seed import's steps on the workflow worker (shared/app/seed/seed-import-job.ts): each step
 * runs within the worker's time limit and puts the next step on the queue, so an import of any
 * size runs in Lambda-sized pieces (and locally on the same queue poller).
 */
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { seedImportStep, SEED_STEP_BUDGET_MS } from '../seed/seed-import-job.js';
import { PermanentWorkflowError } from './permanent-failure.js';
import type { SeedImportMessage } from './seed-import-messages.js';

export async function runSeedImportWorkflow(deps: AppDeps, message: SeedImportMessage, options: { budgetMs?: number } = {}): Promise<void> {
  let step;
  try {
    step = await seedImportStep(deps, message.importId, { budgetMs: options.budgetMs ?? SEED_STEP_BUDGET_MS });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not-found') throw new PermanentWorkflowError(`seed import ${message.importId}: ${err.message}`, { cause: err });
    throw err;
  }
  if (!step.done) await deps.queue.send('workflow', JSON.stringify(message satisfies SeedImportMessage));
}

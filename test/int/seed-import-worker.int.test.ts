/**
 * The seed import on the Lambda handlers, with AWS-shaped events (issue 12): the projector's
 * outbox turns `SeedImportRequested` into a `SeedImportStep` on the workflow queue; the workflow
 * worker runs the step from an SQS record — a refused seed ends the import with its report (the
 * record succeeds: the outcome is recorded), a step of an import that does not exist gives up for
 * good (a batch item failure, dead-lettered).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { makeHandler as makeWorker } from '../../functions/handlers/workflow-worker.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { ensurePki } from '../../local/pki-bootstrap.js';
import { handleCommand } from '../../shared/app/command-handler.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { projectEvent } from '../../shared/app/projections/projector.js';
import { requestSeedImport, seedImportStatus } from '../../shared/app/seed/seed-import-job.js';
import { tenantDecider } from '../../shared/domain/tenant.js';
import { streams } from '../../shared/ids.js';
import { localDeps } from '../../shared/runtime/local-deps.js';

const record = (messageId: string, body: unknown): SQSEvent['Records'][number] => ({
  messageId, receiptHandle: `rh-${messageId}`, body: JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'x', ApproximateFirstReceiveTimestamp: '1' },
  messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:workflow', awsRegion: 'us-east-1',
});

describe('seed import on the Lambda handlers (AWS-shaped events)', () => {
  let dir: string;
  let deps: AppDeps;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drcore-seed-worker-'));
    deps = localDeps(join(dir, 'data'));
    await ensurePki(join(dir, 'data'), { hostnames: [], events: deps.events });
    await handleCommand(deps.events, streams.tenant('t1'), tenantDecider, {
      type: 'CreateTenant', data: { tenantId: 't1', name: 't1', email: 'ops@example.com', quotaBytes: 2 ** 30, pairingRequestId: 'pr-1', coreId: 'core-1' },
    }, { at: new Date().toISOString(), actor: 'test' });
  });
  after(async () => {
    await Promise.all([deps.events.close?.(), deps.queue.close?.(), deps.readModels.close?.(), deps.operational.close?.()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the outbox queues the first step; the worker records the refusal with its report; an unknown import is given up for good', async () => {
    mkdirSync(join(deps.seedInboxPath!, 'bad', 'medium-01'), { recursive: true });
    writeFileSync(join(deps.seedInboxPath!, 'bad', 'medium-01', 'seed.json'), '{"format":"drcore-seed/1"}');
    const asked = await requestSeedImport(deps, { tenantId: 't1', from: 'bad' }, 'admin:test');
    const [requested] = await deps.events.readStream(streams.seed(asked.importId));
    assert.equal(requested?.type, 'SeedImportRequested');
    await projectEvent(deps, requested!);
    const [queued] = await deps.queue.receive('workflow', { maxMessages: 10, waitSeconds: 0 });
    assert.deepEqual(JSON.parse(queued!.body), { type: 'SeedImportStep', importId: asked.importId });
    await deps.queue.delete('workflow', queued!.receiptHandle);

    const worker = makeWorker(deps);
    const result = await worker({ Records: [record('m1', { type: 'SeedImportStep', importId: asked.importId }), record('m2', { type: 'SeedImportStep', importId: 'seed-nope' })] }, lambdaContext('test'));
    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: 'm2' }] });
    const view = await seedImportStatus(deps, asked.importId);
    assert.equal(view.status, 'failed');
    assert.deepEqual(view.problems.map((p) => p.file), ['medium-01/seed.json']);
    assert.match(view.reason ?? '', /not a seed manifest/);
  });
});

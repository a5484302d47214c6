import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiHandler, type RouteContext, type RouteHandler } from '../../shared/http/api-handler.js';
import type { RouteKey } from '../../shared/http/routes.js';
import { jsonBody, queryOf, rawBody } from '../../shared/http/body.js';
import { attachRawBody, rawOf } from '../../shared/http/raw-body.js';
import { binary } from '../../shared/http/responses.js';
import { forbidden, payloadTooLarge, unsupportedMediaType } from '../../shared/http/problem.js';
import { CommitBody, MissingBody, ReadChunksBody, RegisterMachineBody, RenewalBody, UploadsQuery } from '../../shared/http/schemas/replication.js';
import { MAX_PACK_BYTES } from '../../shared/format/index.js';
import { assertId, assertSha256 } from '../../shared/ids.js';
import { registerMachine, listMachines } from '../../shared/app/replication/machine-service.js';
import { listUploads, missingChunks, uploadPack } from '../../shared/app/replication/pack-service.js';
import { commitRecoveryPoint } from '../../shared/app/replication/commit-service.js';
import { getRecoveryPoint, listRecoveryPoints } from '../../shared/app/replication/recovery-point-views.js';
import { readRecoveryPointChunks } from '../../shared/app/replication/rp-chunks.js';
import { getRenewal, requestRenewal } from '../../shared/app/certificate-renewal-service.js';
import { damagedExtents } from '../../shared/app/lifecycle/verify/damaged-extents.js';
import { verifyStatus } from '../../shared/app/lifecycle/verify/verify-views.js';
import { listBin, restoreFromBin } from '../../shared/app/lifecycle/recycle-bin.js';
import { EmptyBody } from '../../shared/http/schemas/pairing.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { recordMetric } from '../../shared/runtime/metrics.js';
import { ENV } from '../../shared/runtime/env.js';
import { logger } from '../../shared/runtime/logger.js';
import { uploadConcurrencyFrom, withUploadSlot } from '../../shared/app/replication/upload-concurrency.js';
import { InProcessUploadSlots } from '../../shared/adapters/local/in-process-upload-slots.js';

/** The tenant is always the caller's certificate's, never anything in the request (DESIGN §6). */
function tenantOf(ctx: Pick<RouteContext, 'caller'>): string {
  if (!ctx.caller.tenantId) throw forbidden('a source-core certificate bound to a tenant is required');
  return ctx.caller.tenantId;
}

/** Route with the caller's tenant (refusals map to their problem types in shared/http/problem-types.ts). */
const route = <K extends RouteKey>(fn: (ctx: RouteContext<K>, tenantId: string) => ReturnType<RouteHandler>): RouteHandler<K> =>
  async (ctx) => fn(ctx, tenantOf(ctx));

/** Chunks as the read route answers them: for each, its length (u32 LE) then its bytes. */
function frames(chunks: readonly Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(chunks.reduce((n, c) => n + 4 + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.writeUInt32LE(c.length, at);
    c.copy(out, at + 4);
    at += 4 + c.length;
  }
  return out;
}

/** A binary 200 whose base64 `body` is computed only if someone reads it. */
function binaryResult(bytes: Buffer, headers: Record<string, string>): APIGatewayProxyResult {
  return attachRawBody({ ...binary(Buffer.alloc(0), headers) }, bytes);
}

function packBody(event: APIGatewayProxyEvent): Buffer {
  const type = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  if (!type || !/^application\/octet-stream\b/i.test(type)) throw unsupportedMediaType(`a pack is application/octet-stream, got ${type ?? 'no content type'}`);
  const raw = rawOf(event);
  if (raw) {
    if (raw.length > MAX_PACK_BYTES) throw payloadTooLarge(`a pack is at most ${MAX_PACK_BYTES} bytes, got ${raw.length}`);
    return raw;
  }
  // Cheap size check on the base64 text before decoding it.
  const body = event.body ?? '';
  const approx = event.isBase64Encoded ? Math.floor((body.length * 3) / 4) - 2 : body.length;
  if (approx > MAX_PACK_BYTES) throw payloadTooLarge(`a pack is at most ${MAX_PACK_BYTES} bytes`);
  const bytes = rawBody(event);
  if (bytes.length > MAX_PACK_BYTES) throw payloadTooLarge(`a pack is at most ${MAX_PACK_BYTES} bytes, got ${bytes.length}`);
  return bytes;
}

const machineOf = (ctx: Pick<RouteContext, 'params'>) => assertId('machine id', ctx.params['machineId']);
const rpOf = (ctx: Pick<RouteContext, 'params'>) => assertId('recovery point id', ctx.params['rpId']);

/** Source-core replication API (DESIGN §5, §7; docs/replication-protocol.md), and the tenant's recycle bin (docs/lifecycle.md). */
export const makeHandler = (deps: AppDeps, inProcessSlots = new InProcessUploadSlots()) => apiHandler('replication-api', {
  'PUT /v1/machines/{machineId}': route(async (ctx, tenantId) => {
    const machineId = machineOf(ctx);
    const body = jsonBody(ctx.event, RegisterMachineBody);
    const { view, created } = await registerMachine(deps, tenantId, machineId, body, ctx.actor);
    return ctx.reply(view, { status: created ? 201 : 200, headers: created ? { location: `/v1/machines/${machineId}` } : {} });
  }),
  'POST /v1/certificate-renewals': route(async (ctx, tenantId) => {
    const { csr } = jsonBody(ctx.event, RenewalBody);
    const renewal = await requestRenewal(deps, tenantId, ctx.caller.serial, csr, ctx.actor);
    return ctx.reply(renewal, { status: 202, headers: { location: `/v1/certificate-renewals/${renewal.renewalId}` } });
  }),
  'GET /v1/certificate-renewals/{renewalId}': route(async (ctx, tenantId) => {
    return ctx.reply(await getRenewal(deps, tenantId, assertId('renewal id', ctx.params['renewalId'])));
  }),
  'GET /v1/machines': route(async (ctx, tenantId) => {
    const items = await listMachines(deps, tenantId);
    return ctx.reply({ items: items.map(({ version: _v, tenantId: _t, ...m }) => m) });
  }),
  'GET /v1/machines/{machineId}/recovery-points': route(async (ctx, tenantId) => {
    return ctx.reply({ items: await listRecoveryPoints(deps, tenantId, machineOf(ctx)) });
  }),
  'GET /v1/machines/{machineId}/recovery-points/{rpId}': route(async (ctx, tenantId) => {
    return ctx.reply(await getRecoveryPoint(deps, tenantId, machineOf(ctx), rpOf(ctx)));
  }),
  'POST /v1/machines/{machineId}/recovery-points/{rpId}/missing': route(async (ctx, tenantId) => {
    const machineId = machineOf(ctx);
    rpOf(ctx);
    const { chunks } = jsonBody(ctx.event, MissingBody);
    return ctx.reply({ missing: await missingChunks(deps, tenantId, machineId, rpOf(ctx), chunks) });
  }),
  'PUT /v1/machines/{machineId}/recovery-points/{rpId}/packs/{packId}': route(async (ctx, tenantId) => {
    const machineId = machineOf(ctx);
    const rpId = rpOf(ctx);
    const packId = assertSha256(ctx.params['packId']);
    let limit: number | undefined;
    const receipt = await withUploadSlot(deps.uploadSlots ?? inProcessSlots, tenantId, uploadConcurrencyFrom(process.env[ENV.uploadConcurrency]),
      () => uploadPack(deps, tenantId, machineId, rpId, packId, packBody(ctx.event), ctx.actor, (t) => { limit = t.bandwidthLimitBytesPerSecond; }),
      (err) => logger.warn('upload slot release failed (its lease expires)', { tenantId, error: err as Error }));
    if (receipt.created) {
      recordMetric('PacksIngested');
      recordMetric('BytesIngested', receipt.bytes);
    }
    // The operator's per-tenant upload limit (issue 13), on every pack answer: 0 is none.
    return ctx.reply(receipt, { status: receipt.created ? 201 : 200, headers: { 'x-drcore-bandwidth-limit': String(limit ?? 0) } });
  }),
  'POST /v1/machines/{machineId}/recovery-points/{rpId}/commit': route(async (ctx, tenantId) => {
    const machineId = machineOf(ctx);
    const rpId = rpOf(ctx);
    const body = jsonBody(ctx.event, CommitBody);
    const { view, created } = await commitRecoveryPoint(deps, tenantId, machineId, rpId, body, ctx.actor);
    if (created) recordMetric('RecoveryPointsCommitted');
    return ctx.reply(view, { status: created ? 201 : 200, headers: created ? { location: `/v1/machines/${machineId}/recovery-points/${rpId}` } : {} });
  }),
  'GET /v1/machines/{machineId}/recovery-points/{rpId}/uploads': route(async (ctx, tenantId) => {
    const machineId = machineOf(ctx);
    const rpId = rpOf(ctx);
    const { after } = queryOf(ctx.event, UploadsQuery);
    return ctx.reply(await listUploads(deps, tenantId, machineId, rpId, after));
  }),
  'GET /v1/verification': route(async (ctx, tenantId) => ctx.reply(await verifyStatus(deps, tenantId))),
  'GET /v1/machines/{machineId}/recovery-points/{rpId}/damaged-extents': route(async (ctx, tenantId) => {
    return ctx.reply(await damagedExtents(deps, tenantId, machineOf(ctx), rpOf(ctx), ctx.actor));
  }),
  'POST /v1/machines/{machineId}/recovery-points/{rpId}/chunks/read': route(async (ctx, tenantId) => {
    const machineId = machineOf(ctx);
    const rpId = rpOf(ctx);
    const { chunks } = jsonBody(ctx.event, ReadChunksBody);
    const got = await readRecoveryPointChunks(deps, tenantId, machineId, rpId, chunks, ctx.actor);
    return binaryResult(frames(got), { 'x-drcore-chunk-count': String(got.length) });
  }),
  'GET /v1/recycle-bin': route(async (ctx, tenantId) => ctx.reply({ items: await listBin(deps, tenantId) })),
  'POST /v1/recycle-bin/{rpId}/restore': route(async (ctx, tenantId) => {
    const rpId = rpOf(ctx);
    jsonBody(ctx.event, EmptyBody);
    return ctx.reply(await restoreFromBin(deps, tenantId, rpId, ctx.actor));
  }),
});

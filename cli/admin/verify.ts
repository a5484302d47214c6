import type { VerifyStep } from '../../shared/app/lifecycle/verify/verify-job.js';
import { formatBytes, parseSize, UsageError } from '../args.js';
import { define } from '../command.js';
import { withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { withAdmin } from './connect.js';

/** `drcore admin verify [--tenant T]`: one verify run, step by step through the admin API. */
export const verify = define({
  name: 'admin verify',
  summary: 'Re-read every stored chunk of the committed recovery points and re-hash it (all tenants, or one); report what is damaged.',
  details: 'Runs the verify job now, in steps of about 20 s (each one API call, within one Lambda invocation on AWS). A bad chunk is recorded (ChunkCorrupted, naming the RPs it breaks), '
    + 'shown in `drcore admin tenant ID` and to the tenant\'s source (`drcore source status`), and its extent is re-sent by the next replication, which heals it. Exit 1 if anything is damaged.',
  options: {
    tenant: { type: 'string', value: 'ID', description: 'Only this tenant' },
    'older-than': { type: 'string', value: 'DAYS', description: 'Only RPs not verified for DAYS (default: all)' },
    rate: { type: 'string', value: 'SIZE', description: 'Read at most SIZE per second, e.g. 100M (default: no limit)' },
    ...ADMIN,
  },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const olderThanDays = values['older-than'] === undefined ? undefined : Number(values['older-than']);
    if (olderThanDays !== undefined && !(Number.isInteger(olderThanDays) && olderThanDays >= 0)) throw new UsageError(`--older-than must be a whole number of days, not ${values['older-than']}`);
    const rateBytesPerSecond = values.rate === undefined ? undefined : parseSize(values.rate);
    const total = { verified: [] as VerifyStep['verified'], damaged: [] as VerifyStep['damaged'], skipped: { fresh: 0, unindexed: 0, gone: 0 }, bytesRead: 0, chunks: 0 };
    let runId: string | undefined;
    let cursor: string | undefined;
    do {
      const body = { ...(runId ? { runId } : {}), ...(values.tenant ? { tenantId: values.tenant } : {}), ...(olderThanDays !== undefined ? { olderThanDays } : {}),
        ...(rateBytesPerSecond !== undefined ? { rateBytesPerSecond } : {}), ...(cursor ? { cursor } : {}) };
      const step = await withHints(api.json<VerifyStep>('POST', '/v1/admin/verification', body), { 404: 'drcore admin tenants lists the tenants' });
      runId = step.runId;
      cursor = step.next;
      total.verified.push(...step.verified);
      total.damaged.push(...step.damaged);
      for (const k of ['fresh', 'unindexed', 'gone'] as const) total.skipped[k] += step.skipped[k];
      total.bytesRead += step.bytesRead;
      total.chunks += step.chunksChecked;
      if (!values.json) {
        for (const v of step.verified) io.out(`${v.result === 'ok' ? 'ok     ' : 'DAMAGED'}  ${v.tenantId}  ${v.machineId}  ${v.rpId}  ${v.chunks} chunks, ${formatBytes(v.bytes)}${v.badChunkCount ? `, ${v.badChunkCount} bad` : ''}`);
        for (const d of step.damaged) io.out(`  ${d.problem} chunk ${d.chunk} (${d.tenantId}) breaks ${d.rps.join(', ')}`);
      }
    } while (cursor !== undefined);
    if (values.json) io.out(JSON.stringify({ runId, ...total }));
    else {
      const damaged = total.verified.filter((v) => v.result === 'damaged').length;
      io.out(`verify run ${runId}: ${total.verified.length} recovery point(s) verified (${damaged} damaged), ${total.chunks} chunks, ${formatBytes(total.bytesRead)} read; `
        + `skipped ${total.skipped.fresh} verified recently, ${total.skipped.unindexed} in storage layout 1, ${total.skipped.gone} purged`);
      if (total.damaged.length) io.out('The next replication of each machine re-sends the damaged extents; drcore admin tenant ID shows the damage.');
    }
    return total.damaged.length > 0 || total.verified.some((v) => v.result === 'damaged') ? 1 : 0;
  }),
});

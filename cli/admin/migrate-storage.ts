import type { MigrationStep } from '../../shared/app/replication/migrate-storage.js';
import { define } from '../command.js';
import { ADMIN } from '../options.js';
import { withAdmin } from './connect.js';

export const migrateStorage = define({
  name: 'admin migrate-storage',
  summary: 'Index every recovery point stored in layout 1 (before RP indexes), so that it restores again.',
  details: 'Idempotent and resumable: it walks the event log in steps of 20 RPs (each step one API call, within one Lambda invocation on AWS) until the end. '
    + 'An RP whose chunks cannot all be found is reported and left as it is (its restore stays refused with 409 Storage Migration Required). Exit 1 if any RP failed.',
  options: { ...ADMIN },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const total: MigrationStep = { migrated: [], failed: [], done: false };
    let after: string | undefined;
    for (;;) {
      const step = await api.json<MigrationStep>('POST', '/v1/admin/storage-migration', { ...(after !== undefined ? { after } : {}) });
      total.migrated.push(...step.migrated);
      total.failed.push(...step.failed);
      if (!values.json) {
        for (const m of step.migrated) io.out(`indexed ${m.tenantId} ${m.rpId} (${m.chunks} chunks)`);
        for (const f of step.failed) io.out(`FAILED ${f.tenantId} ${f.rpId}: ${f.reason}`);
      }
      if (step.done || step.next === undefined) break;
      after = step.next;
    }
    if (values.json) io.out(JSON.stringify({ migrated: total.migrated, failed: total.failed }));
    else io.out(`${total.migrated.length} recovery point(s) indexed, ${total.failed.length} failed; every other RP was already in layout 2`);
    return total.failed.length ? 1 : 0;
  }),
});

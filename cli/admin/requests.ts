import type { PairingRequestSummary } from '../../shared/app/projections/pairing-requests.js';
import { define } from '../command.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { withAdmin } from './connect.js';

export const requests = define({
  name: 'admin requests',
  summary: 'List pairing requests (the review queue), oldest first.',
  options: {
    status: { type: 'string', value: 'STATUS', description: 'pending, approved, rejected, ignored, failed or all', default: 'pending' },
    ...ADMIN,
  },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const { items } = await api.json<{ items: PairingRequestSummary[] }>('GET', `/v1/admin/pairing-requests?status=${encodeURIComponent(values.status)}`);
    if (values.json) io.out(JSON.stringify(items));
    else if (items.length === 0) io.out(`no ${values.status} pairing requests`);
    else {
      io.out(table([['ID', 'STATUS', 'CORE', 'CORE ID', 'E-MAIL', 'CUSTOMER', 'REQUESTED', 'PROBLEM'],
        ...items.map((r) => [r.id, r.status, r.coreName, r.coreId, r.email, r.customerId ?? '-', r.requestedAt, r.certificateFailure?.reason ?? '-'])]));
    }
    return 0;
  }),
});

import { readFileSync } from 'node:fs';
import { CliError } from '../args.js';
import { define } from '../command.js';
import { ApiError, withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { withAdmin } from './connect.js';

interface Revoked { serial: string; status: string }

export const revoke = define({
  name: 'admin revoke', args: 'TENANT SERIAL', required: ['TENANT', 'SERIAL'],
  summary: "Revoke one of a tenant's certificates: the target core refuses it from now on.",
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'Why (kept in the event log)', required: true },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const [tenantId, serial] = positionals as [string, string];
    const r = await withHints(api.json<Revoked>('POST', `/v1/admin/tenants/${encodeURIComponent(tenantId)}/certificates/${encodeURIComponent(serial)}/revoke`, { reason: values.reason }),
      { 404: `drcore admin tenant ${tenantId} lists its certificates` });
    if (values.json) io.out(JSON.stringify(r));
    else io.out(`Revoked certificate ${r.serial} of tenant ${tenantId}: the target core refuses it from now on.`);
    return 0;
  }),
});

export const revokeCertificate = define({
  name: 'admin revoke-certificate', args: 'SERIAL', required: ['SERIAL'],
  summary: 'Revoke any certificate by serial (hex), the admin and enrollment bundles too.',
  details: 'A certificate the core never registered (a bootstrap bundle made on AWS) needs its PEM: --pem registers it, then revokes it.',
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'Why (kept in the event log)', required: true },
    pem: { type: 'string', value: 'FILE', description: 'The certificate as PEM, for one the registry does not know' },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const serial = positionals[0]!;
    const certificate = values.pem ? readFileSync(values.pem, 'utf8') : undefined;
    let r: Revoked;
    try {
      r = await withHints(api.json<Revoked>('POST', `/v1/admin/certificates/${encodeURIComponent(serial)}/revoke`, { reason: values.reason, ...(certificate ? { certificate } : {}) }),
        { 409: 'drcore admin tenant ID shows a tenant\'s certificates and their status' });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && !certificate) {
        throw new CliError(`404 Not Found: certificate ${serial} is not in the registry`, 'pass its PEM with --pem CERT.pem to register and revoke it', { cause: e });
      }
      throw e;
    }
    if (values.json) io.out(JSON.stringify(r));
    else io.out(`Revoked certificate ${r.serial}: the target core refuses it from now on.`);
    return 0;
  }),
});

import { define } from '../command.js';
import { withHints } from '../http-client.js';
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
  details: 'Every certificate the core issues is in its registry (tenant certificates and the bootstrap bundles alike), so the serial is all it takes.',
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'Why (kept in the event log)', required: true },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const serial = positionals[0]!;
    const r = await withHints(api.json<Revoked>('POST', `/v1/admin/certificates/${encodeURIComponent(serial)}/revoke`, { reason: values.reason }), {
      404: 'the serial is the certificate\'s, in hex (openssl x509 -noout -serial -in CERT.pem); drcore admin tenant ID lists a tenant\'s certificates',
      409: 'drcore admin tenant ID shows a tenant\'s certificates and their status',
    });
    if (values.json) io.out(JSON.stringify(r));
    else io.out(`Revoked certificate ${r.serial}: the target core refuses it from now on.`);
    return 0;
  }),
});

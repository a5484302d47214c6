import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ReportStatus } from '../../shared/app/lifecycle/verify/verification-report.js';
import { CliError, UsageError } from '../args.js';
import { define, type Io } from '../command.js';
import { withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { withAdmin } from './connect.js';

interface ReportRp { machineId: string; rpId: string; kind: string; committedAt: string; verification: { at: string; result: string; chunks: number; badChunkCount: number } | null; brokenBy: string[] }

function show(text: string, io: Io): void {
  const r = JSON.parse(text) as { tenantId: string; generatedAt: string; summary: Record<string, unknown>; recoveryPoints: ReportRp[] };
  io.out(`Verification report of ${r.tenantId}, ${r.generatedAt}: ${JSON.stringify(r.summary)}`);
  io.out(table([['MACHINE', 'RP', 'KIND', 'COMMITTED', 'VERIFIED', 'RESULT', 'CHUNKS', 'BROKEN BY'], ...r.recoveryPoints.map((p) => [
    p.machineId, p.rpId, p.kind, p.committedAt, p.verification?.at ?? '-', p.verification ? `${p.verification.result}${p.verification.badChunkCount ? ` (${p.verification.badChunkCount} bad)` : ''}` : 'unverified',
    String(p.verification?.chunks ?? '-'), p.brokenBy.join(' ') || '-',
  ])]));
}

/** `drcore admin verify-report TENANT [--out FILE]`: a verification report signed by the core's CA key. */
export const verifyReport = define({
  name: 'admin verify-report', args: 'TENANT', required: ['TENANT'],
  summary: "A signed verification report of a tenant: its RPs, the chunks checked and the results, signed by the core's CA key.",
  details: 'The report is made and signed by the workflow worker (the one holder of the CA key); this waits for it. With --out FILE it writes FILE (the JSON), '
    + 'FILE.p7s (detached CMS) and FILE.sig (RSA-SHA256, base64), and prints the openssl commands that check them with the CA certificate alone.',
  options: {
    out: { type: 'string', value: 'FILE', description: 'Write the report to FILE, its signatures to FILE.p7s and FILE.sig' },
    wait: { type: 'string', value: 'SECONDS', description: 'How long to wait for the worker', default: '60' },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const tenantId = positionals[0]!;
    const waitSeconds = Number(values.wait);
    if (!(Number.isFinite(waitSeconds) && waitSeconds > 0)) throw new UsageError(`--wait must be a number of seconds, not ${values.wait}`);
    const asked = await withHints(api.json<ReportStatus>('POST', `/v1/admin/tenants/${encodeURIComponent(tenantId)}/verification-reports`, {}), { 404: 'drcore admin tenants lists the tenants' });
    const path = `/v1/admin/tenants/${encodeURIComponent(tenantId)}/verification-reports/${encodeURIComponent(asked.reportId)}`;
    const end = Date.now() + waitSeconds * 1000;
    let r = asked;
    while (r.status === 'pending') {
      if (Date.now() > end) throw new CliError(`report ${asked.reportId} is not ready after ${waitSeconds} s`, `the workflow worker makes it; ask again later: GET ${path}`);
      await new Promise((ok) => setTimeout(ok, 250));
      r = await api.json<ReportStatus>('GET', path);
    }
    if (r.status === 'failed' || r.report === undefined || r.cms === undefined || r.signature === undefined) throw new CliError(`report ${r.reportId} failed: ${r.error ?? 'no report'}`);
    if (values.out) {
      const file = resolve(values.out);
      writeFileSync(file, r.report);
      writeFileSync(`${file}.p7s`, r.cms);
      writeFileSync(`${file}.sig`, Buffer.from(r.signature, 'base64'));
      if (values.json) io.out(JSON.stringify({ reportId: r.reportId, report: file, cms: `${file}.p7s`, signature: `${file}.sig` }));
      else {
        io.out(`wrote ${file}, ${file}.p7s (CMS) and ${file}.sig (RSA-SHA256); check them with the core CA certificate (ca.pem):`);
        io.out(`  openssl cms -verify -binary -purpose any -CAfile ca.pem -content ${file} -inform PEM -in ${file}.p7s -out /dev/null`);
        io.out(`  openssl x509 -in ca.pem -pubkey -noout > ca-pub.pem && openssl dgst -sha256 -verify ca-pub.pem -signature ${file}.sig ${file}`);
      }
    } else if (values.json) io.out(r.report.trimEnd());
    else show(r.report, io);
    return 0;
  }),
});

/**
 * A source core paired with an in-process test core (test/support/in-process-core.ts) through
 * the API as `drcore source pair` does it: key and CSR, pairing request (enrollment bundle),
 * approval (admin bundle), certificate pick-up. Its state dir holds key.pem, cert.pem, ca.pem
 * and pairing.json, so `drcore source …` and the source modules can use it. (Not a test file.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCsr } from '../../shared/pki/csr.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { ReplicationApi } from '../../source/api.js';
import type { RetryPolicy } from '../../source/client.js';
import { HttpsTransport, type TlsIdentity } from '../../source/transport.js';
import { eventually, type TestCore } from './in-process-core.js';

export interface PairedSource { tenantId: string; stateDir: string; identity: TlsIdentity }

export async function pairSource(t: TestCore, stateDir: string, name: string, approval: Record<string, unknown> = {}): Promise<PairedSource> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const keys = generateKeyPair();
  const enrollment = await t.client('enrollment');
  const admin = await t.client('admin');
  const created = await enrollment.json<{ id: string }>('POST', '/v1/pairing-requests', { coreName: name, coreId: name, email: `ops@${name}.example`, csr: createCsr(keys, name) });
  await admin.json('POST', `/v1/admin/pairing-requests/${created.id}/approve`, { quotaBytes: 2 ** 34, ...approval });
  const view = await eventually(async () => {
    const v = await enrollment.json<{ certificate?: string; caCertificate?: string; tenantId?: string }>('GET', `/v1/pairing-requests/${created.id}`);
    return v.certificate && v.caCertificate && v.tenantId ? v : undefined;
  }, 30_000, 'the source certificate');
  const identity = { cert: view.certificate!, key: privateKeyToPem(keys.privateKey), ca: view.caCertificate! };
  writeFileSync(join(stateDir, 'key.pem'), identity.key, { mode: 0o600 });
  writeFileSync(join(stateDir, 'cert.pem'), identity.cert);
  writeFileSync(join(stateDir, 'ca.pem'), identity.ca);
  writeFileSync(join(stateDir, 'pairing.json'), `${JSON.stringify({ target: t.url, requestId: created.id, coreId: name, coreName: name, email: `ops@${name}.example`,
    enrollmentCert: t.core.pki.enrollmentCert, enrollmentKey: t.core.pki.enrollmentKey, ca: t.core.pki.caCert, status: 'approved', tenantId: view.tenantId,
  })}\n`);
  return { tenantId: view.tenantId!, stateDir, identity };
}

/** The replication API as this source, over its own mTLS transport. */
export function sourceApi(t: TestCore, s: PairedSource, transport = new HttpsTransport(t.url, s.identity, 6), retry?: RetryPolicy): { api: ReplicationApi; transport: HttpsTransport } {
  return { api: new ReplicationApi(transport, retry), transport };
}

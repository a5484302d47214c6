/**
 * authorize(): the authorizer's decision over the event-sourced certificate registry (DESIGN §6),
 * the same on both runtimes. Every certificate the core issues is registered (the pairing
 * workflow, the PKI bootstrap), so one the registry does not know is refused, whatever its role
 * and although the core's CA signed it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { authorize } from '../../shared/app/authorize.js';
import { registerCertificate, revokeAnyCertificate } from '../../shared/app/certificate-service.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { createCa, newSerial, type Ca } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { generateKeyPair } from '../../shared/pki/keys.js';
import type { CertRole } from '../../shared/ports/certificate-authority.js';

const now = new Date('2026-03-01T12:00:00.000Z');

describe('authorize: the registry decides', () => {
  let events: SqliteEventStore;
  let deps: AppDeps;
  let ca: Ca;
  const issue = (role: CertRole, serial = newSerial()) =>
    issueClientCertificate(ca, { publicKey: generateKeyPair().publicKey, role, commonName: `${role} x`, serial, now, ...(role === 'source-core' ? { tenantId: 'acme-1' } : {}) }).certificatePem;

  before(() => {
    events = SqliteEventStore.open(':memory:');
    deps = { events, clock: () => now } as unknown as AppDeps;
    ca = createCa({ now, serial: newSerial() });
  });
  after(async () => { await events.close(); });

  it('refuses a certificate of the CA that the registry does not know, for every role', async () => {
    for (const role of ['admin', 'enrollment', 'source-core'] as const) {
      const decision = await authorize(events, issue(role), now);
      assert.equal(decision.allow, false, role);
      assert.match(!decision.allow ? decision.reason : '', /is not registered/, role);
    }
  });

  it('accepts a registered certificate, with its role (and tenant)', async () => {
    for (const role of ['admin', 'enrollment', 'source-core'] as const) {
      const pem = issue(role);
      await registerCertificate(deps, pem, 'system:test');
      const decision = await authorize(events, pem, now);
      assert.deepEqual(decision.allow && [decision.role, decision.tenantId], [role, role === 'source-core' ? 'acme-1' : undefined]);
    }
  });

  it('refuses another certificate with a registered serial (not the registered one), and a revoked one', async () => {
    const serial = newSerial();
    await registerCertificate(deps, issue('enrollment', serial), 'system:test');
    const twin = await authorize(events, issue('enrollment', serial), now);
    assert.match(!twin.allow ? twin.reason : 'allowed', /does not match the registry/);

    const pem = issue('admin');
    await registerCertificate(deps, pem, 'system:test');
    await revokeAnyCertificate(deps, (await authorize(events, pem, now) as { serial: string }).serial, { reason: 'lost' }, 'other', 'admin:other');
    const revoked = await authorize(events, pem, now);
    assert.match(!revoked.allow ? revoked.reason : 'allowed', /is revoked/);
  });
});

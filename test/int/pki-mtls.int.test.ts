/**
 * The PKI with Node's TLS: a server with requestCert + rejectUnauthorized against a drcore CA on
 * loopback accepts that CA's client certificates (PEM and PKCS#12) and refuses others.
 * (Moved from test/unit/pki.unit.test.ts: a real mTLS server is an integration test.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clientBundle } from '../support/client-bundle.js';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createSecureContext } from 'node:tls';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { identityFromCertificate } from '../../shared/pki/identity.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { createPkcs12, randomPassword } from '../../shared/pki/pkcs12.js';
import { issueServerCertificate } from '../../shared/pki/server-cert.js';


describe('mutual TLS with Node', () => {
  const clockNow = new Date();
  const ca = createCa({ now: clockNow, serial: newSerial() });
  const serverKey = generateKeyPair();
  const serverCert = issueServerCertificate(ca, { publicKey: serverKey.publicKey, serial: newSerial(), now: clockNow }).certificatePem;
  let server: https.Server;
  let port = 0;
  let handled = 0;

  before(async () => {
    server = https.createServer({ key: privateKeyToPem(serverKey.privateKey), cert: serverCert, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      handled += 1;
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const id = identityFromCertificate(peer.raw);
      res.end(JSON.stringify({ role: id.role, tenantId: id.tenantId ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function get(host: string, client?: { key: string; cert: string } | { pfx: Buffer; passphrase: string }): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', servername: host === '127.0.0.1' ? undefined : host, port, path: '/', ca: ca.certificatePem, agent: false, ...client }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('authorizes a client certificate from the CA, by localhost and by 127.0.0.1, and the server reads its identity', async () => {
    const bundle = clientBundle(ca, 'source-core', 'acme', clockNow);
    const tls = { key: bundle.keyPem, cert: bundle.certPem };
    assert.deepEqual(JSON.parse(await get('localhost', tls)), { role: 'source-core', tenantId: 'acme' });
    assert.deepEqual(JSON.parse(await get('127.0.0.1', tls)), { role: 'source-core', tenantId: 'acme' });
  });

  it('authorizes a PKCS#12 (AES-256) bundle', async () => {
    const bundle = clientBundle(ca, 'admin', undefined, clockNow);
    const passphrase = randomPassword();
    const pfx = createPkcs12({ privateKeyPem: bundle.keyPem, certificatePem: bundle.certPem, chainPems: [ca.certificatePem], password: passphrase });
    assert.doesNotThrow(() => createSecureContext({ pfx, passphrase }));
    assert.deepEqual(JSON.parse(await get('localhost', { pfx, passphrase })), { role: 'admin', tenantId: null });
  });

  it('refuses a client certificate from another CA, and no certificate at all', async () => {
    const other = createCa({ now: clockNow, serial: newSerial() });
    const stranger = clientBundle(other, 'admin', undefined, clockNow);
    const handledBefore = handled;
    const refused = (e: NodeJS.ErrnoException): boolean => /^(ECONNRESET|ERR_SSL_)/.test(e.code ?? '');
    await assert.rejects(get('localhost', { key: stranger.keyPem, cert: stranger.certPem }), refused);
    await assert.rejects(get('localhost'), refused);
    assert.equal(handled, handledBefore, 'no request reached the handler');
  });
});

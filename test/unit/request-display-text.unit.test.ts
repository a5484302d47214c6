/**
 * Display fields in the request schemas (issue 8 item 3) and the certificate subject limit
 * (item 5): what the schema accepts as a core name is exactly what the CA signs as a CN.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApproveBody, PairingRequestBody, RejectBody, RevokeBody } from '../../shared/http/schemas/pairing.js';
import { RegisterMachineBody } from '../../shared/http/schemas/replication.js';
import { createCa, newSerial, NAME_VALUE_MAX_LENGTH, subjectAttributes } from '../../shared/pki/ca.js';
import { createCsr } from '../../shared/pki/csr.js';
import { signCsr } from '../../shared/pki/csr.js';
import { generateKeyPair } from '../../shared/pki/keys.js';

const FORBIDDEN = [
  ...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
].map((c) => String.fromCodePoint(c));

const csr = createCsr(generateKeyPair(), 'schema test');
const request = { coreName: 'ACME', coreId: 'acme', email: 'ops@acme.example', csr };

function accepts(schema: { safeParse(v: unknown): { success: boolean } }, value: unknown): boolean {
  return schema.safeParse(value).success;
}

describe('display fields refuse control, separator and bidi characters', () => {
  it('in a pairing request: coreName, email, message (a line feed only in the message)', () => {
    assert.ok(accepts(PairingRequestBody, request));
    for (const c of FORBIDDEN) {
      const hex = `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`;
      assert.ok(!accepts(PairingRequestBody, { ...request, coreName: `AC${c}ME` }), `coreName with ${hex}`);
      assert.ok(!accepts(PairingRequestBody, { ...request, email: `ops${c}x@acme.example` }), `email with ${hex}`);
      if (c !== '\n') assert.ok(!accepts(PairingRequestBody, { ...request, message: `hello${c}there` }), `message with ${hex}`);
    }
    assert.ok(accepts(PairingRequestBody, { ...request, message: 'line one\nline two' }));
    assert.ok(accepts(PairingRequestBody, { ...request, coreName: 'Zürich core – 東京 #2' }));
  });

  it('in what an admin writes that a source core or operator reads: approval note, rejection and revocation reasons', () => {
    assert.ok(!accepts(ApproveBody, { quotaBytes: 2 ** 30, note: 'ok\u001b[2J' }));
    assert.ok(accepts(ApproveBody, { quotaBytes: 2 ** 30, note: 'welcome\naboard' }));
    assert.ok(!accepts(RejectBody, { reason: 'no\u202econtract' }));
    assert.ok(!accepts(RejectBody, { reason: 'no\ncontract' }));
    assert.ok(!accepts(RevokeBody, { reason: 'stolen\u0085' }));
  });

  it('in a machine name', () => {
    assert.ok(accepts(RegisterMachineBody, { name: 'db-01' }));
    assert.ok(!accepts(RegisterMachineBody, { name: 'db\u001b]0;pwned\u0007' }));
    assert.ok(!accepts(RegisterMachineBody, { name: 'db\u2066-01' }));
  });
});

describe('a core name the schema accepts is one the CA signs (one limit: NAME_VALUE_MAX_LENGTH)', () => {
  it('the limit is 64 characters, and 65 is refused at the schema', () => {
    assert.equal(NAME_VALUE_MAX_LENGTH, 64);
    assert.ok(accepts(PairingRequestBody, { ...request, coreName: 'x'.repeat(64) }));
    assert.ok(!accepts(PairingRequestBody, { ...request, coreName: 'x'.repeat(65) }));
  });

  it('for any string: schema accepts ⇒ the CA builds the subject', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), (a, b) => {
      for (const coreName of [a, b]) {
        const parsed = PairingRequestBody.safeParse({ ...request, coreName });
        if (parsed.success) assert.doesNotThrow(() => subjectAttributes({ commonName: parsed.data.coreName, organizationalUnit: 'source-core', organization: 'tenant:t-abcdefghijkl' }), JSON.stringify(coreName));
      }
    }), { numRuns: 2000 });
  });

  it('a 64-character core name of non-ASCII letters is signed into a certificate', () => {
    const ca = createCa({ now: new Date(), serial: newSerial() });
    const parsed = PairingRequestBody.parse({ ...request, coreName: 'ü'.repeat(64) });
    const issued = signCsr(ca, csr, { role: 'source-core', tenantId: 't-abcdefghijkl', commonName: parsed.coreName, serial: newSerial(), now: new Date() });
    assert.match(issued.subject, /^CN=ü{64}, OU=source-core, O=tenant:t-abcdefghijkl$/);
  });
});

/**
 * The SecretStore contract (shared/ports/secret-store.ts): every adapter runs this suite.
 * Each test gets a fresh store (make()) in which nothing is stored yet under CONTRACT_SECRET_NAMES
 * (an adapter that needs its names configured, as the AWS one does, configures these).
 * The values are synthetic text and bytes: a SecretStore stores parts, it does not judge them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { InvalidIdError } from '../../ids.js';
import type { Secret, SecretStore, StoredSecret } from '../secret-store.js';

export const CONTRACT_SECRET_NAMES = ['ca', 'admin', 'enrollment', 'server'] as const;

const INVALID_NAMES: unknown[] = ['', 'CA', 'Admin', '../x', 'a/b', 'a b', '.', '..', '-a', '1a', 'a.b', 'a_b', `a${'b'.repeat(32)}`, 'é', 7, null, undefined];

function pem(label: string): string {
  return `-----BEGIN ${label}-----\n${randomBytes(48).toString('base64')}\n-----END ${label}-----\n`;
}

/** A secret with every part (or only the required ones). */
export function sampleSecret(full = true): Secret {
  return {
    privateKeyPem: pem('PRIVATE KEY'),
    certificatePem: pem('CERTIFICATE'),
    ...(full ? { issuerCertificatePem: pem('CERTIFICATE'), pkcs12: { der: new Uint8Array(randomBytes(700)), password: randomBytes(18).toString('base64url') } } : {}),
  };
}

/** The stored parts in a comparable shape (the PKCS#12 bytes as base64). */
function comparable(s: StoredSecret | undefined): unknown {
  if (s === undefined) return undefined;
  return { ...s, ...(s.pkcs12 ? { pkcs12: { der: Buffer.from(s.pkcs12.der).toString('base64'), password: s.pkcs12.password } } : {}) };
}

export function secretStoreContract(name: string, make: () => Promise<{ store: SecretStore; cleanup(): Promise<void> }>): void {
  describe(`SecretStore contract: ${name}`, () => {
    async function withStore(test: (store: SecretStore) => Promise<void>): Promise<void> {
      const { store, cleanup } = await make();
      try { await test(store); } finally { await cleanup(); }
    }

    it('get of a name under which nothing is stored → undefined', () => withStore(async (store) => {
      for (const n of CONTRACT_SECRET_NAMES) assert.equal(await store.get(n), undefined, n);
    }));

    it('putIfAbsent stores every part; get returns them exactly (PKCS#12 bytes and password included)', () => withStore(async (store) => {
      for (const [n, secret] of [['ca', sampleSecret(false)], ['admin', sampleSecret(true)]] as const) {
        assert.deepEqual(await store.putIfAbsent(n, secret), { created: true });
        assert.deepEqual(comparable(await store.get(n)), comparable(secret), n);
      }
    }));

    it('putIfAbsent never overwrites: created:false with the stored secret, which stays', () => withStore(async (store) => {
      const first = sampleSecret();
      await store.putIfAbsent('ca', first);
      const r = await store.putIfAbsent('ca', sampleSecret());
      assert.equal(r.created, false);
      assert.deepEqual(comparable(!r.created ? r.existing : undefined), comparable(first));
      assert.deepEqual(comparable(await store.get('ca')), comparable(first));
    }));

    it('concurrent putIfAbsent: exactly one stores, every other call gets the winner\'s secret', () => withStore(async (store) => {
      const candidates = Array.from({ length: 6 }, () => sampleSecret());
      const results = await Promise.all(candidates.map((s) => store.putIfAbsent('ca', s)));
      const winners = results.flatMap((r, i) => (r.created ? [candidates[i]!] : []));
      assert.equal(winners.length, 1, 'exactly one created');
      const winner = comparable(winners[0]);
      for (const r of results) if (!r.created) assert.deepEqual(comparable(r.existing), winner);
      assert.deepEqual(comparable(await store.get('ca')), winner);
    }));

    it('put stores where nothing was, and replaces the whole secret: parts the new one lacks are gone', () => withStore(async (store) => {
      const full = sampleSecret(true);
      await store.put('admin', full);
      assert.deepEqual(comparable(await store.get('admin')), comparable(full));
      const bare = sampleSecret(false);
      await store.put('admin', bare);
      assert.deepEqual(comparable(await store.get('admin')), comparable(bare));
      const again = sampleSecret(true);
      await store.put('admin', again);
      assert.deepEqual(comparable(await store.get('admin')), comparable(again));
    }));

    it('put of the same secret again changes nothing', () => withStore(async (store) => {
      const s = sampleSecret(true);
      await store.put('enrollment', s);
      await store.put('enrollment', s);
      assert.deepEqual(comparable(await store.get('enrollment')), comparable(s));
    }));

    it('names are independent', () => withStore(async (store) => {
      const a = sampleSecret();
      const e = sampleSecret(false);
      await store.put('admin', a);
      await store.putIfAbsent('enrollment', e);
      assert.deepEqual(comparable(await store.get('admin')), comparable(a));
      assert.deepEqual(comparable(await store.get('enrollment')), comparable(e));
      assert.equal(await store.get('server'), undefined);
    }));

    it('an invalid name is refused (InvalidIdError) by get, put and putIfAbsent', () => withStore(async (store) => {
      for (const bad of INVALID_NAMES) {
        const n = bad as string;
        await assert.rejects(store.get(n), InvalidIdError, `get ${String(bad)}`);
        await assert.rejects(store.put(n, sampleSecret()), InvalidIdError, `put ${String(bad)}`);
        await assert.rejects(store.putIfAbsent(n, sampleSecret()), InvalidIdError, `putIfAbsent ${String(bad)}`);
      }
    }));
  });
}

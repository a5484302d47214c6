/**
 * `drcore source renew`: a certificate for a new key, before this one expires (issue 11 item 6).
 * The new key is written first (`key.next.pem`, 0600), the CSR filed with the current
 * certificate (`POST /v1/certificate-renewals`), and once the target signed it the pair replaces
 * `key.pem` and `cert.pem`. Crash-safe: a rerun with `key.next.pem` files the same CSR (same key:
 * the same renewal), and `completeRenewal` finishes a swap a crash cut in two, so `key.pem` and
 * `cert.pem` always belong together.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { RenewalView } from '../shared/http/schemas/responses/replication.js';
import { createCsr } from '../shared/pki/csr.js';
import { generateKeyPair, keyPairFromPrivateKeyPem, privateKeyToPem } from '../shared/pki/keys.js';
import type { TargetClient } from './client.js';
import { readPairing, writeStateFile } from './pairing-state.js';

type Renewal = z.infer<typeof RenewalView>;
const NEXT_KEY = 'key.next.pem';
const NEXT_CERT = 'cert.next.pem';

/** Finishes a key/certificate swap an interrupted renewal left half done (a no-op otherwise). */
export function completeRenewal(dir: string): void {
  const nextKey = join(dir, NEXT_KEY);
  const nextCert = join(dir, NEXT_CERT);
  if (!existsSync(nextCert)) return; // no new certificate yet: a pending key.next.pem waits for the next renew
  if (existsSync(nextKey)) renameSync(nextKey, join(dir, 'key.pem'));
  renameSync(nextCert, join(dir, 'cert.pem'));
}

export interface RenewOptions { readonly dir: string; readonly client: TargetClient; readonly timeoutMs?: number; readonly pollMs?: number }

/** Renews, waiting for the target to sign; returns the renewal as the target answered it last. */
export async function renewCertificate(o: RenewOptions): Promise<Renewal> {
  completeRenewal(o.dir);
  const keyFile = join(o.dir, NEXT_KEY);
  const keys = existsSync(keyFile) ? keyPairFromPrivateKeyPem(readFileSync(keyFile, 'utf8')) : generateKeyPair();
  if (!existsSync(keyFile)) writeStateFile(o.dir, NEXT_KEY, privateKeyToPem(keys.privateKey), true);
  const csr = createCsr(keys, readPairing(o.dir)?.coreName ?? 'drcore source core');
  let view = await o.client.json<Renewal>('request a certificate renewal', 'POST', '/v1/certificate-renewals', { csr });
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  while (view.status === 'pending' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    view = await o.client.json<Renewal>('read the certificate renewal', 'GET', `/v1/certificate-renewals/${encodeURIComponent(view.renewalId)}`);
  }
  if (view.status === 'issued' && view.certificatePem) {
    writeStateFile(o.dir, NEXT_CERT, view.certificatePem);
    if (view.caCertificatePem) writeStateFile(o.dir, 'ca.pem', view.caCertificatePem);
    completeRenewal(o.dir);
  }
  return view;
}

import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createCsr } from '../../shared/pki/csr.js';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem } from '../../shared/pki/keys.js';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { isValidId } from '../../shared/ids.js';
import { parse, UsageError } from '../args.js';
import { ApiClient, identityFromFiles } from '../http-client.js';
import { readPairing, stateDir, writePairing, writeStateFile, type PairingState } from './state.js';
import forge from 'node-forge';

type Out = (line: string) => void;
/** Statuses after which the request can never deliver a certificate: a new request is needed. */
const FINAL = new Set(['rejected', 'ignored', 'failed']);

/** The source core's own key: created once, 0600, never sent anywhere. */
function ensureKey(dir: string): forge.pki.rsa.KeyPair {
  const file = join(dir, 'key.pem');
  if (existsSync(file)) {
    const privateKey = privateKeyFromPem(readFileSync(file, 'utf8'));
    return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
  }
  const pair = generateKeyPair();
  writeStateFile(dir, 'key.pem', privateKeyToPem(pair.privateKey), true);
  return pair;
}

function enrollmentClient(s: Pick<PairingState, 'target' | 'ca' | 'enrollmentCert' | 'enrollmentKey'>): ApiClient {
  return new ApiClient(s.target, identityFromFiles({ cert: s.enrollmentCert, key: s.enrollmentKey, ca: s.ca }));
}

/** Prints feedback lines not printed yet; stores the certificate once it is there. */
export function absorb(dir: string, state: PairingState, view: PairingView, seen: number, out: Out): number {
  for (const f of view.feedback.slice(seen)) out(`${f.at}  ${f.message}`);
  const next: PairingState = { ...state, status: view.status, ...(view.tenantId ? { tenantId: view.tenantId } : {}) };
  if (view.status === 'approved' && view.certificate && view.caCertificate && !existsSync(join(dir, 'cert.pem'))) {
    writeStateFile(dir, 'cert.pem', view.certificate);
    writeStateFile(dir, 'ca.pem', view.caCertificate);
    out(`Paired as tenant ${view.tenantId}. Certificate: ${join(dir, 'cert.pem')}  key: ${join(dir, 'key.pem')}  CA: ${join(dir, 'ca.pem')}`);
  }
  writePairing(dir, next);
  return view.feedback.length;
}

export async function poll(dir: string, state: PairingState, out: Out, wait: boolean, seen = 0): Promise<string> {
  const api = enrollmentClient(state);
  try {
    for (;;) {
      const view = await api.json<PairingView>('GET', `/v1/pairing-requests/${encodeURIComponent(state.requestId)}`);
      seen = absorb(dir, state, view, seen, out);
      const done = FINAL.has(view.status) || (view.status === 'approved' && !!view.certificate);
      if (done || !wait) return view.status;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally { api.close(); }
}

export async function pairCommand(argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, {
    target: { type: 'string' }, ca: { type: 'string' }, 'enrollment-cert': { type: 'string' }, 'enrollment-key': { type: 'string' },
    'core-name': { type: 'string' }, 'core-id': { type: 'string' }, email: { type: 'string' }, 'customer-id': { type: 'string' },
    message: { type: 'string' }, wait: { type: 'boolean' }, state: { type: 'string' },
  });
  const missing = ['target', 'ca', 'enrollment-cert', 'enrollment-key', 'core-name', 'email'].filter((k) => !values[k as keyof typeof values]);
  if (missing.length) throw new UsageError(`drcore source pair: missing --${missing.join(', --')}`);
  const dir = stateDir(values.state);
  const existing = readPairing(dir);
  if (existing && !FINAL.has(existing.status)) {
    out(`A pairing request (${existing.requestId}) already exists in ${dir}; showing its status.`);
    const status = await poll(dir, existing, out, values.wait ?? false);
    return FINAL.has(status) ? 1 : 0;
  }
  const coreId = values['core-id'] ?? hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  if (!isValidId(coreId)) throw new UsageError('--core-id must match [A-Za-z0-9._-]{1,64}');
  const keys = ensureKey(dir);
  const csr = createCsr(keys, values['core-name']!);
  const base = {
    target: values.target!, ca: resolve(values.ca!), enrollmentCert: resolve(values['enrollment-cert']!), enrollmentKey: resolve(values['enrollment-key']!),
  };
  const api = enrollmentClient(base);
  let view: PairingView;
  try {
    view = await api.json<PairingView>('POST', '/v1/pairing-requests', {
      coreName: values['core-name'], coreId, email: values.email, csr,
      ...(values['customer-id'] ? { customerId: values['customer-id'] } : {}), ...(values.message ? { message: values.message } : {}),
    });
  } finally { api.close(); }
  const state: PairingState = { ...base, requestId: view.id, coreId, coreName: values['core-name']!, email: values.email!, status: view.status };
  writePairing(dir, state);
  out(`Pairing request ${view.id} submitted to ${base.target}.`);
  const seen = absorb(dir, state, view, 0, out);
  if (!values.wait) return 0;
  const status = await poll(dir, state, out, true, seen);
  return status === 'approved' ? 0 : 1;
}

export async function statusCommand(argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, { state: { type: 'string' }, wait: { type: 'boolean' } });
  const dir = stateDir(values.state);
  const state = readPairing(dir);
  if (!state) { out(`Not paired: no pairing request in ${dir}. Run drcore source pair …`); return 1; }
  out(`Pairing request ${state.requestId} to ${state.target}`);
  const status = await poll(dir, state, out, values.wait ?? false);
  out(`Status: ${status}${existsSync(join(dir, 'cert.pem')) ? ' (certificate stored)' : ''}`);
  return 0;
}

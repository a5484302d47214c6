import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createCsr } from '../../shared/pki/csr.js';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem } from '../../shared/pki/keys.js';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { isValidId } from '../../shared/ids.js';
import { CliError, UsageError } from '../args.js';
import { define } from '../command.js';
import { JSON_OUTPUT, SOURCE } from '../options.js';
import { ApiClient, identityFromFiles } from '../http-client.js';
import { readPairing, stateDir, writePairing, writeStateFile, type PairingState } from './state.js';
import forge from 'node-forge';

type Out = (line: string) => void;
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

/** What `pair --json` and `status --json` print. */
function summary(dir: string, state: PairingState, status: string) {
  return {
    requestId: state.requestId, status, target: state.target, ...(state.tenantId ? { tenantId: state.tenantId } : {}),
    stateDir: dir, certificate: existsSync(join(dir, 'cert.pem')),
  };
}

const STATE = { state: SOURCE.state } as const;

export const pair = define({
  name: 'source pair',
  summary: 'Ask a target core to pair: makes this source core\'s key (0600) and CSR, submits the request, prints the feedback; once approved, stores cert.pem and ca.pem beside the key.',
  options: {
    target: { ...SOURCE.target, description: 'The target core', required: true },
    ca: { type: 'string', value: 'FILE', description: "The target core's CA certificate (ca.pem)", required: true },
    'enrollment-cert': { type: 'string', value: 'FILE', description: 'The enrollment certificate the service provider gave you', required: true },
    'enrollment-key': { type: 'string', value: 'FILE', description: 'Its key', required: true },
    'core-name': { type: 'string', value: 'NAME', description: "This source core's display name", required: true },
    email: { type: 'string', value: 'ADDR', description: 'Contact e-mail for the service provider', required: true },
    'core-id': { type: 'string', value: 'ID', description: "This source core's stable id (default: the host name)" },
    'customer-id': { type: 'string', value: 'ID', description: 'Your customer id with the service provider' },
    message: { type: 'string', value: 'TEXT', description: 'A message for the reviewer' },
    wait: { type: 'boolean', description: 'Wait for the decision (exit 1 if rejected, ignored or failed)' },
    ...STATE, ...JSON_OUTPUT,
  },
  run: async ({ values }, io) => {
    // With --json, the feedback goes to stderr and stdout carries one JSON line.
    const out = values.json ? io.err : io.out;
    const dir = stateDir(values.state);
    const existing = readPairing(dir);
    if (existing && !FINAL.has(existing.status)) {
      out(`A pairing request (${existing.requestId}) already exists in ${dir}; showing its status.`);
      const status = await poll(dir, existing, out, values.wait ?? false);
      if (values.json) io.out(JSON.stringify(summary(dir, readPairing(dir) ?? existing, status)));
      return FINAL.has(status) ? 1 : 0;
    }
    const coreId = values['core-id'] ?? hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
    if (!isValidId(coreId)) throw new UsageError('--core-id must match [A-Za-z0-9._-]{1,64}');
    const keys = ensureKey(dir);
    const csr = createCsr(keys, values['core-name']);
    const base = {
      target: values.target, ca: resolve(values.ca), enrollmentCert: resolve(values['enrollment-cert']), enrollmentKey: resolve(values['enrollment-key']),
    };
    const api = enrollmentClient(base);
    let view: PairingView;
    try {
      view = await api.json<PairingView>('POST', '/v1/pairing-requests', {
        coreName: values['core-name'], coreId, email: values.email, csr,
        ...(values['customer-id'] ? { customerId: values['customer-id'] } : {}), ...(values.message ? { message: values.message } : {}),
      });
    } finally { api.close(); }
    const state: PairingState = { ...base, requestId: view.id, coreId, coreName: values['core-name'], email: values.email, status: view.status };
    writePairing(dir, state);
    out(`Pairing request ${view.id} submitted to ${base.target}.`);
    const seen = absorb(dir, state, view, 0, out);
    const status = values.wait ? await poll(dir, state, out, true, seen) : view.status;
    if (values.json) io.out(JSON.stringify(summary(dir, readPairing(dir) ?? state, status)));
    return !values.wait || status === 'approved' ? 0 : 1;
  },
});

export const status = define({
  name: 'source status',
  summary: 'Show the pairing request\'s status and new feedback; stores the certificate once approved.',
  options: {
    wait: { type: 'boolean', description: 'Wait until approved (with the certificate), rejected, ignored or failed' },
    ...STATE, ...JSON_OUTPUT,
  },
  run: async ({ values }, io) => {
    const out = values.json ? io.err : io.out;
    const dir = stateDir(values.state);
    const state = readPairing(dir);
    if (!state) throw new CliError(`not paired: no pairing request in ${dir}`, 'drcore source pair … asks a target core to pair; or pass --state DIR');
    out(`Pairing request ${state.requestId} to ${state.target}`);
    const result = await poll(dir, state, out, values.wait ?? false);
    if (values.json) io.out(JSON.stringify(summary(dir, readPairing(dir) ?? state, result)));
    else out(`Status: ${result}${existsSync(join(dir, 'cert.pem')) ? ' (certificate stored)' : ''}`);
    return 0;
  },
});

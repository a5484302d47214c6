/**
 * Pairing from the source core's side (DESIGN §6): its own key (made once, 0600, never sent
 * anywhere) and a CSR, the pairing request over the enrollment bundle, then the target's
 * answer followed until it is final; once approved, the certificate and the CA are stored in
 * the state dir beside the key. The requests go through the source core's one client
 * (client.ts over transport.ts), each sent once (NO_RETRY): a second submission after a lost
 * answer would file a second request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import type { PairingListQuery, PairingRequestBody } from '../shared/http/schemas/pairing.js';
import { createCsr } from '../shared/pki/csr.js';
import { generateKeyPair, keyPairFromPrivateKeyPem, privateKeyToPem, type KeyPair } from '../shared/pki/keys.js';
import { NO_RETRY, TargetClient } from './client.js';
import { writePairing, writeStateFile, type PairingState } from './pairing-state.js';
import { HttpsTransport, readTlsIdentity } from './transport.js';

export type PairingRequest = z.input<typeof PairingRequestBody>;
/** The states of a pairing request (the review queue's filter, less 'all'). */
export type PairingStatus = Exclude<NonNullable<z.output<typeof PairingListQuery>['status']>, 'all'>;

/** What the target answers about a pairing request (the fields the source core reads). */
export interface PairingView {
  id: string; status: PairingStatus; feedback: { at: string; message: string }[];
  tenantId?: string; certificate?: string; caCertificate?: string;
}

export interface PairedFiles { readonly cert: string; readonly key: string; readonly ca: string }

/** What pairing tells its caller as it goes. */
export interface PairingReport {
  submitted(requestId: string, target: string): void;
  /** A line of the service provider's feedback, each once. */
  feedback(at: string, message: string): void;
  /** The certificate arrived and is stored. */
  paired(tenantId: string | undefined, files: PairedFiles): void;
}

/** Where and as whom to pair: the target, the CA to trust, the enrollment bundle's files. */
type Enrollment = Pick<PairingState, 'target' | 'ca' | 'enrollmentCert' | 'enrollmentKey'>;

export interface PairingInput extends Enrollment {
  /** The state dir: key.pem, pairing.json, then cert.pem and ca.pem. */
  readonly dir: string;
  readonly coreName: string; readonly coreId: string; readonly email: string;
  readonly customerId?: string | undefined; readonly message?: string | undefined;
}

/** Statuses after which a request can never deliver a certificate: a new request is needed. */
export const FINAL_STATUSES: ReadonlySet<PairingStatus> = new Set<PairingStatus>(['rejected', 'ignored', 'failed']);
const FINAL: ReadonlySet<string> = FINAL_STATUSES;

/** The source core's own key: created once, 0600, never sent anywhere. */
function ensureKey(dir: string): KeyPair {
  const file = join(dir, 'key.pem');
  if (existsSync(file)) return keyPairFromPrivateKeyPem(readFileSync(file, 'utf8'));
  const pair = generateKeyPair();
  writeStateFile(dir, 'key.pem', privateKeyToPem(pair.privateKey), true);
  return pair;
}

/** Runs `use` with a client over the enrollment bundle (the core has no certificate of its own yet). */
async function withEnrollment<T>(s: Enrollment, use: (client: TargetClient) => Promise<T>): Promise<T> {
  const transport = new HttpsTransport(s.target, readTlsIdentity({ cert: s.enrollmentCert, key: s.enrollmentKey, ca: s.ca }), 1);
  try {
    return await use(new TargetClient(transport, NO_RETRY));
  } finally { transport.close(); }
}

/** Reports feedback lines not reported yet; stores the certificate once it is there. Returns the lines seen. */
function absorb(dir: string, state: PairingState, view: PairingView, seen: number, report: PairingReport): number {
  for (const f of view.feedback.slice(seen)) report.feedback(f.at, f.message);
  const next: PairingState = { ...state, status: view.status, ...(view.tenantId ? { tenantId: view.tenantId } : {}) };
  if (view.status === 'approved' && view.certificate && view.caCertificate && !existsSync(join(dir, 'cert.pem'))) {
    writeStateFile(dir, 'cert.pem', view.certificate);
    writeStateFile(dir, 'ca.pem', view.caCertificate);
    report.paired(view.tenantId, { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'ca.pem') });
  }
  writePairing(dir, next);
  return view.feedback.length;
}

/**
 * Reads the request's state from the target (every second while `wait`, until it is rejected,
 * ignored, or approved with its certificate) and returns the last status seen.
 */
export async function followPairing(dir: string, state: PairingState, report: PairingReport, wait: boolean, seen = 0): Promise<PairingStatus> {
  return withEnrollment(state, async (client) => {
    for (;;) {
      const view = await client.json<PairingView>('read pairing request', 'GET', `/v1/pairing-requests/${encodeURIComponent(state.requestId)}`);
      seen = absorb(dir, state, view, seen, report);
      const done = FINAL.has(view.status) || (view.status === 'approved' && !!view.certificate);
      if (done || !wait) return view.status;
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
}

/** Files a new pairing request (key, CSR, request) and, with `wait`, follows it; returns the last status seen. */
export async function requestPairing(input: PairingInput, report: PairingReport, wait: boolean): Promise<PairingStatus> {
  const { dir } = input;
  const keys = ensureKey(dir);
  const csr = createCsr(keys, input.coreName);
  const enrollment: Enrollment = {
    target: input.target, ca: resolve(input.ca), enrollmentCert: resolve(input.enrollmentCert), enrollmentKey: resolve(input.enrollmentKey),
  };
  const body: PairingRequest = {
    coreName: input.coreName, coreId: input.coreId, email: input.email, csr,
    ...(input.customerId ? { customerId: input.customerId } : {}), ...(input.message ? { message: input.message } : {}),
  };
  const view = await withEnrollment(enrollment, (client) => client.json<PairingView>('submit pairing request', 'POST', '/v1/pairing-requests', body));
  const state: PairingState = { ...enrollment, requestId: view.id, coreId: input.coreId, coreName: input.coreName, email: input.email, status: view.status };
  writePairing(dir, state);
  report.submitted(view.id, enrollment.target);
  const seen = absorb(dir, state, view, 0, report);
  return wait ? followPairing(dir, state, report, true, seen) : view.status;
}

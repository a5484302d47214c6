import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isValidId } from '../../shared/ids.js';
import { FINAL_STATUSES, followPairing, requestPairing, type PairingReport, type PairingStatus } from '../../source/pairing.js';
import { readPairing, stateDir, type PairingState } from '../../source/pairing-state.js';
import { UsageError } from '../args.js';
import { define } from '../command.js';
import { JSON_OUTPUT, SOURCE } from '../options.js';

type Out = (line: string) => void;

/** Prints what pairing reports. */
export function printer(out: Out): PairingReport {
  return {
    submitted: (requestId, target) => out(`Pairing request ${requestId} submitted to ${target}.`),
    feedback: (at, message) => out(`${at}  ${message}`),
    paired: (tenantId, files) => out(`Paired as tenant ${tenantId}. Certificate: ${files.cert}  key: ${files.key}  CA: ${files.ca}`),
  };
}

/** What `pair --json` and `status --json` print. */
export function summary(dir: string, state: PairingState, status: string) {
  return {
    requestId: state.requestId, status, target: state.target, ...(state.tenantId ? { tenantId: state.tenantId } : {}),
    stateDir: dir, certificate: existsSync(join(dir, 'cert.pem')),
  };
}

const isFinal = (status: string): boolean => FINAL_STATUSES.has(status as PairingStatus);
export const STATE = { state: SOURCE.state } as const;

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
    if (existing && !isFinal(existing.status)) {
      out(`A pairing request (${existing.requestId}) already exists in ${dir}; showing its status.`);
      const status = await followPairing(dir, existing, printer(out), values.wait ?? false);
      if (values.json) io.out(JSON.stringify(summary(dir, readPairing(dir) ?? existing, status)));
      return isFinal(status) ? 1 : 0;
    }
    const coreId = values['core-id'] ?? hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
    if (!isValidId(coreId)) throw new UsageError('--core-id must match [A-Za-z0-9._-]{1,64}');
    const wait = values.wait ?? false;
    const status = await requestPairing({
      dir, target: values.target, ca: values.ca, enrollmentCert: values['enrollment-cert'], enrollmentKey: values['enrollment-key'],
      coreName: values['core-name'], coreId, email: values.email, customerId: values['customer-id'], message: values.message,
    }, printer(out), wait);
    const state = readPairing(dir);
    if (values.json && state) io.out(JSON.stringify(summary(dir, state, status)));
    return !wait || status === 'approved' ? 0 : 1;
  },
});

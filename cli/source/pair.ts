import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isValidId } from '../../shared/ids.js';
import { followPairing, requestPairing, type PairingReport } from '../../source/pairing.js';
import { readPairing, stateDir } from '../../source/pairing-state.js';
import { parse, UsageError } from '../args.js';

type Out = (line: string) => void;

/** Prints what pairing reports. */
function printer(out: Out): PairingReport {
  return {
    submitted: (requestId, target) => out(`Pairing request ${requestId} submitted to ${target}.`),
    feedback: (at, message) => out(`${at}  ${message}`),
    paired: (tenantId, files) => out(`Paired as tenant ${tenantId}. Certificate: ${files.cert}  key: ${files.key}  CA: ${files.ca}`),
  };
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
  if (existing && existing.status !== 'rejected' && existing.status !== 'ignored') {
    out(`A pairing request (${existing.requestId}) already exists in ${dir}; showing its status.`);
    const status = await followPairing(dir, existing, printer(out), values.wait ?? false);
    return status === 'rejected' || status === 'ignored' ? 1 : 0;
  }
  const coreId = values['core-id'] ?? hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  if (!isValidId(coreId)) throw new UsageError('--core-id must match [A-Za-z0-9._-]{1,64}');
  const wait = values.wait ?? false;
  const status = await requestPairing({
    dir, target: values.target!, ca: values.ca!, enrollmentCert: values['enrollment-cert']!, enrollmentKey: values['enrollment-key']!,
    coreName: values['core-name']!, coreId, email: values.email!, customerId: values['customer-id'], message: values.message,
  }, printer(out), wait);
  return !wait || status === 'approved' ? 0 : 1;
}

export async function statusCommand(argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, { state: { type: 'string' }, wait: { type: 'boolean' } });
  const dir = stateDir(values.state);
  const state = readPairing(dir);
  if (!state) { out(`Not paired: no pairing request in ${dir}. Run drcore source pair …`); return 1; }
  out(`Pairing request ${state.requestId} to ${state.target}`);
  const status = await followPairing(dir, state, printer(out), values.wait ?? false);
  out(`Status: ${status}${existsSync(join(dir, 'cert.pem')) ? ' (certificate stored)' : ''}`);
  return 0;
}

/**
 * The local admin and enrollment bundles against the certificate registry, on every
 * `drcore serve` start (DESIGN §6, §8). Each is registered, so that it can be listed and
 * revoked. One the registry has revoked is replaced (new key, new serial, registered) over the
 * same files, so the core never starts with no usable admin or enrollment bundle; the revoked
 * certificate stays revoked, and its key is gone from DATA/pki. What was reissued is returned
 * for the serve command to print: roles and serials only, never key material.
 */
import { streams } from '../shared/ids.js';
import type { AppDeps } from '../shared/app/deps.js';
import { registerCertificate } from '../shared/app/certificate-service.js';
import { loadState } from '../shared/app/command-handler.js';
import { certificateDecider } from '../shared/domain/certificate.js';
import { bootstrapCertificates, reissueClientBundle, type BundleRole, type PkiPaths } from './pki-bootstrap.js';

export interface ReissuedBundle {
  readonly role: BundleRole;
  readonly revokedSerial: string;
  readonly serial: string;
}

const ACTOR = 'system:bootstrap';

export async function reconcileBootstrapBundles(deps: AppDeps, pki: PkiPaths): Promise<ReissuedBundle[]> {
  const reissued: ReissuedBundle[] = [];
  for (const bundle of await bootstrapCertificates(pki)) {
    const { state } = await loadState(deps.events, streams.cert(bundle.serial), certificateDecider);
    if (state.status !== 'revoked' || (bundle.role !== 'admin' && bundle.role !== 'enrollment')) {
      await registerCertificate(deps, bundle.certificatePem, ACTOR);
      continue;
    }
    const fresh = await reissueClientBundle(pki, bundle.role, { now: deps.clock() });
    await registerCertificate(deps, fresh.certificatePem, ACTOR);
    reissued.push({ role: bundle.role, revokedSerial: bundle.serial, serial: fresh.serial });
  }
  return reissued;
}

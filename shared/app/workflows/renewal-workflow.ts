/**
 * A certificate renewal, signed (issue 11 item 6): for a `CertificateRenewalRequested`, sign the
 * CSR for the same tenant with the CertificateAuthority port (on AWS only this worker reads the
 * CA key), register the new certificate (it works at once: the authorizer finds it in the
 * registry) and record it on the renewal for the source to fetch. Idempotent: the serial derives
 * from the renewal id, and the registry's create-once stream makes a redelivery a no-op. A CSR
 * the CA refuses is recorded once as `CertificateRenewalFailed` and the job given up.
 */
import { createHash } from 'node:crypto';
import { CertificateRefusedError } from '../../ports/errors.js';
import { registerCertificate } from '../certificate-service.js';
import { commandMeta } from '../command-handler.js';
import type { AppDeps } from '../deps.js';
import { certificateHandler, renewalHandler } from '../handlers.js';
import { PermanentWorkflowError } from './permanent-failure.js';

const ACTOR = 'system:renewal-workflow';

export async function runRenewalWorkflow(deps: AppDeps, message: { tenantId: string; renewalId: string }): Promise<void> {
  const key = { tenantId: message.tenantId, renewalId: message.renewalId };
  const { state } = await renewalHandler.load(deps, key);
  if (state.status !== 'pending') return;
  const r = state.request;
  const meta = commandMeta(deps, ACTOR);
  const serial = `2${createHash('sha256').update(`renewal:${r.tenantId}:${r.renewalId}`).digest('hex').slice(0, 31)}`; // 16 bytes, positive
  if ((await certificateHandler.load(deps, serial)).state.status === 'none') {
    let pem: string;
    try {
      pem = (await deps.ca.signCsr(r.csrPem, 'source-core', { tenantId: r.tenantId, commonName: r.commonName, now: deps.clock(), serial })).certificatePem;
    } catch (error) {
      if (!(error instanceof CertificateRefusedError)) throw error;
      await renewalHandler(deps, key, { type: 'FailRenewal', data: { ...key, reason: `the certificate authority refused it: ${error.reason}` } }, meta);
      throw new PermanentWorkflowError(`renewal ${r.renewalId} refused by the CA: ${error.reason}`);
    }
    await registerCertificate(deps, pem, ACTOR);
  }
  const registered = await certificateHandler.load(deps, serial);
  if (registered.state.status === 'none') throw new Error(`certificate ${serial} was not registered`);
  await renewalHandler(deps, key, {
    type: 'IssueRenewal',
    data: { ...key, serial, certificatePem: registered.state.certificate.certificatePem, caCertificatePem: await deps.ca.caCertificatePem() },
  }, meta);
}

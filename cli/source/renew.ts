import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TargetClient } from '../../source/client.js';
import { renewCertificate } from '../../source/renewal.js';
import { CliError } from '../args.js';
import { define } from '../command.js';
import { JSON_OUTPUT, SOURCE } from '../options.js';
import { sourceApi } from './connect.js';

export const renew = define({
  name: 'source renew',
  summary: 'Renew this source core\'s certificate with a new key, before it expires; the new one works at once.',
  details: 'The new key is made here and never leaves the state dir (0600); the target signs its CSR for the same tenant. '
    + 'The old certificate stays valid until it expires or the service provider revokes it. Safe to rerun after an interruption.',
  options: { ...SOURCE, ...JSON_OUTPUT },
  run: async ({ values }, io) => {
    const { client: transport, dir } = sourceApi(values, 1);
    try {
      const view = await renewCertificate({ dir, client: new TargetClient(transport) });
      if (view.status !== 'issued') {
        throw new CliError(`renewal ${view.renewalId} is ${view.status}${view.reason ? `: ${view.reason}` : ''}`, view.status === 'pending' ? 'run drcore source renew again later: it picks the same renewal up' : 'ask the service provider');
      }
      const cert = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
      if (values.json) io.out(JSON.stringify({ renewalId: view.renewalId, serial: view.serial, oldSerial: view.oldSerial, notAfter: cert.validTo }));
      else io.out(`renewed: certificate ${view.serial} (was ${view.oldSerial}), valid until ${cert.validTo}`);
      return 0;
    } finally { transport.close(); }
  },
});

/** The CA adapters' seed-key unwrap (CertificateAuthority.unwrapSeedKey): a refusal is SeedKeyRefusedError. */
import { unwrapDataKey } from '../format/seed.js';
import { SeedKeyRefusedError } from '../ports/errors.js';

export function unwrapSeedKeyWith(privateKeyPem: string, wrapped: Uint8Array): Buffer {
  try {
    return unwrapDataKey(wrapped, privateKeyPem);
  } catch (err) {
    throw new SeedKeyRefusedError('the seed key is not wrapped to this core\'s CA key', { cause: err });
  }
}

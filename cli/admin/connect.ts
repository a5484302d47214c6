import { join, resolve } from 'node:path';
import { ApiClient, identityFromFiles } from '../http-client.js';

export const DEFAULT_URL = 'https://localhost:8006';
export const DEFAULT_DATA = '.drcore';

/** The admin bundle from DATA/pki (PEM for the CLI). */
export function adminClient(values: { url?: string | undefined; data?: string | undefined }): ApiClient {
  const pki = join(resolve(values.data ?? DEFAULT_DATA), 'pki');
  return new ApiClient(values.url ?? DEFAULT_URL, identityFromFiles({
    cert: join(pki, 'admin.pem'), key: join(pki, 'admin-key.pem'), ca: join(pki, 'ca.pem'),
  }));
}

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../args.js';
import { ApiClient, identityFromFiles } from '../http-client.js';
import { DEFAULT_DATA, DEFAULT_URL } from '../options.js';

export { DEFAULT_DATA, DEFAULT_URL };

/** The admin bundle from DATA/pki (PEM for the CLI). */
export function adminClient(values: { url?: string | undefined; data?: string | undefined }): ApiClient {
  const pki = join(resolve(values.data ?? DEFAULT_DATA), 'pki');
  const files = { cert: join(pki, 'admin.pem'), key: join(pki, 'admin-key.pem'), ca: join(pki, 'ca.pem') };
  const absent = Object.values(files).find((f) => !existsSync(f));
  if (absent) throw new CliError(`no admin bundle: ${absent} does not exist`, 'pass --data DIR (or set DRCORE_DATA): the data dir of drcore serve, whose pki/ holds admin.pem');
  return new ApiClient(values.url ?? DEFAULT_URL, identityFromFiles(files));
}

/** Runs `fn` with an admin client and closes it. */
export async function withAdmin<T>(values: { url?: string | undefined; data?: string | undefined }, fn: (api: ApiClient) => Promise<T>): Promise<T> {
  const api = adminClient(values);
  try { return await fn(api); } finally { api.close(); }
}

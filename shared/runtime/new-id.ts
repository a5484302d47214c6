import { randomBytes } from 'node:crypto';

/** A new random id `<prefix>-<12 chars>` within [A-Za-z0-9._-] (72 bits of entropy). */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;
}

/**
 * Which folder of the seed inbox an import reads (issue 12): the server reads only below its
 * configured inbox. A request names the seed's folder as a path relative to the inbox (the
 * prefix under which the media folders are), or, locally, as an absolute path inside the inbox
 * directory; anything that leaves the inbox (`..`, an absolute path elsewhere, a bad segment) is
 * refused before anything is read or appended.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { DomainError } from '../../domain/errors.js';
import { isValidBlobKey, type BlobStore } from '../../ports/blob-store.js';
import type { AppDeps } from '../deps.js';

export function seedInbox(deps: AppDeps): BlobStore {
  if (!deps.seedInbox) throw new DomainError('invalid', 'this core has no seed inbox configured');
  return deps.seedInbox;
}

/** The inbox-relative prefix of a seed folder, or a 400 DomainError naming why not. */
export function inboxPrefix(deps: AppDeps, from: string): string {
  let rel = from.trim().replace(/\/+$/, '');
  if (isAbsolute(rel)) {
    if (!deps.seedInboxPath) throw new DomainError('invalid', `the seed folder ${from} is outside the seed inbox: name it relative to the inbox`, { reason: 'outside-seed-inbox' });
    const root = resolve(deps.seedInboxPath);
    const r = relative(root, resolve(rel));
    if (r === '' || r.startsWith('..') || isAbsolute(r)) throw new DomainError('invalid', `the seed folder ${from} is outside the seed inbox ${root}: the server reads seeds only from there`, { reason: 'outside-seed-inbox' });
    rel = r.split(sep).join('/');
  }
  if (!isValidBlobKey(rel)) throw new DomainError('invalid', `the seed folder ${JSON.stringify(from)} is not a folder inside the seed inbox (segments [A-Za-z0-9._-], no "..")`, { reason: 'outside-seed-inbox' });
  return rel;
}

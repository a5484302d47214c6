/**
 * Pack verification for the upload path: the same checks as `verifyPack` (shared/format) —
 * structure by `decodePack`, every chunk's SHA-256 against its index entry, the pack's own
 * SHA-256 against its id — with the hashing done by WebCrypto on libuv's thread pool, all
 * hashes of a pack at once. The event loop (TLS, other requests) stays free, and on several
 * cores the chunk and pack hashes run in parallel. Each byte is hashed once per digest.
 */
import { webcrypto } from 'node:crypto';
import { decodePack, PackFormatError, type VerifiedPack } from '../../format/index.js';

const digestHex = async (bytes: Uint8Array): Promise<string> => Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');

/** Throws PackFormatError (nothing is stored by the caller) when the pack is malformed or any hash differs. */
export async function verifyPackAsync(pack: Buffer, expectedId: string): Promise<VerifiedPack> {
  const entries = decodePack(pack);
  const [packHash, ...chunkHashes] = await Promise.all([digestHex(pack), ...entries.map((e) => digestHex(e.bytes))]);
  entries.forEach((e, i) => {
    if (chunkHashes[i] !== e.id) throw new PackFormatError(`entry ${i}: chunk bytes hash to ${chunkHashes[i]}, index says ${e.id}`);
  });
  if (packHash !== expectedId) throw new PackFormatError(`pack bytes hash to ${packHash}, expected ${expectedId}`);
  return { id: packHash, entries };
}

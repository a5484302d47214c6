/**
 * OIDs of any size in node-forge. X.690 §8.19 puts no bound on an OID arc, and the drcore
 * identity extension sits under 2.25.<UUID> (X.667), whose third arc is a 128-bit integer;
 * node-forge 1.x refuses arcs above 32 bits when it encodes (`oidToDer`) and above 53 bits when
 * it decodes (`derToOid`), so it could neither issue nor parse such a certificate (nor put one
 * in a PKCS#12 bundle). Importing this module replaces the two functions on forge's shared
 * `asn1` object, which x509, pkcs12 and pbe call through, by BigInt versions that give the
 * same bytes and strings for every OID forge handled before.
 *
 * Import it (for its effect) in every module that encodes or decodes a client certificate
 * with forge: client-cert.ts, identity.ts, pkcs12.ts.
 */
import forge from 'node-forge';

const ARC = /^(0|[1-9][0-9]*)$/;

/** "2.25.123…" → the DER content octets (no tag, no length), as forge's oidToDer returns them. */
function oidToDer(oid: string): forge.util.ByteStringBuffer {
  const arcs = oid.split('.');
  if (arcs.length < 2 || !arcs.every((a) => ARC.test(a))) throw new Error(`Invalid OID: ${JSON.stringify(oid)}`);
  const [first, second, ...rest] = arcs.map((a) => BigInt(a)) as [bigint, bigint, ...bigint[]];
  // X.660: the first arc is 0, 1 or 2; under 0 and 1 the second is at most 39.
  if (first > 2n || (first < 2n && second > 39n)) throw new Error('Invalid OID; the first two arcs are out of range.');
  const bytes = forge.util.createBuffer();
  for (let value of [40n * first + second, ...rest]) {
    // Base 128, big-endian, the top bit set on every byte but the last.
    const groups = [Number(value & 0x7fn)];
    for (value >>= 7n; value > 0n; value >>= 7n) groups.unshift(Number(value & 0x7fn) | 0x80);
    for (const b of groups) bytes.putByte(b);
  }
  return bytes;
}

/** DER content octets (a binary string or a buffer, which is consumed) → "2.25.123…". */
function derToOid(input: string | forge.util.ByteStringBuffer): string {
  const bytes = typeof input === 'string' ? forge.util.createBuffer(input) : input;
  const arcs: string[] = [];
  let value = 0n;
  while (bytes.length() > 0) {
    const b = bytes.getByte();
    value = (value << 7n) | BigInt(b & 0x7f);
    if (b & 0x80) continue;
    if (arcs.length === 0) arcs.push(value < 80n ? `${value / 40n}.${value % 40n}` : `2.${value - 80n}`);
    else arcs.push(value.toString());
    value = 0n;
  }
  return arcs.join('.');
}

Object.assign(forge.asn1, { oidToDer, derToOid });

/**
 * CSRs built byte by byte, as a hostile client would send them: any key (an RSA exponent as
 * long as the modulus, an 8192-bit modulus, e = 3, EC, Ed25519), any signature algorithm,
 * signed for real or not at all. The DER encoder here is the test's own, independent of the
 * code under test.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, generatePrimeSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ed25519: '1.3.101.112',
  commonName: '2.5.4.3',
} as const;

// ---- DER -----------------------------------------------------------------------------------

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

const sequence = (...parts: Buffer[]) => tlv(0x30, ...parts);

export function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) { groups.unshift(v % 128); if (v < 128) break; }
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(bytes));
}

function unsignedInteger(x: bigint): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

const bitString = (bytes: Buffer) => tlv(0x03, Buffer.from([0]), bytes);
const NULL = Buffer.from([0x05, 0x00]);

/** SubjectPublicKeyInfo of an RSA key (n, e): the bytes a CSR carries, whatever n and e are. */
export function rsaSpki(n: bigint, e: bigint): Buffer {
  return sequence(sequence(oid(OID.rsaEncryption), NULL), bitString(sequence(unsignedInteger(n), unsignedInteger(e))));
}

export interface CraftOptions {
  readonly spki: Buffer;
  readonly commonName?: string;
  readonly signatureOid?: string;
  /** Signs the CertificationRequestInfo DER; default: 256 random bytes (a signature that cannot verify). */
  readonly sign?: (info: Buffer) => Buffer;
}

/** A PEM "CERTIFICATE REQUEST" with exactly these parts. */
export function craftCsr(options: CraftOptions): string {
  const subject = sequence(tlv(0x31, sequence(oid(OID.commonName), tlv(0x0c, Buffer.from(options.commonName ?? 'crafted', 'utf8')))));
  const info = sequence(tlv(0x02, Buffer.from([0])), subject, options.spki, tlv(0xa0));
  const signatureOid = options.signatureOid ?? OID.sha256WithRSAEncryption;
  const algorithm = signatureOid.startsWith('1.2.840.113549') ? sequence(oid(signatureOid), NULL) : sequence(oid(signatureOid));
  const signature = options.sign ? options.sign(info) : randomBytes(256);
  const der = sequence(info, algorithm, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** A CSR for a Node key pair, signed for real with `hash` (RSA PKCS#1 v1.5, ECDSA or Ed25519 by key type). */
export function csrForKey(privateKey: KeyObject, options: { commonName?: string; signatureOid?: string; hash?: string | null } = {}): string {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return craftCsr({
    spki,
    ...(options.commonName ? { commonName: options.commonName } : {}),
    signatureOid: options.signatureOid ?? OID.sha256WithRSAEncryption,
    sign: (info) => sign(options.hash === undefined ? 'sha256' : options.hash, info, privateKey),
  });
}

// ---- RSA keys Node will not generate ----------------------------------------------------------

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

const b64url = (x: bigint) => {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

const bits = (x: bigint) => x.toString(2).length;

/**
 * A real 2048-bit RSA key pair whose public exponent is a random odd number about as long as
 * the modulus (generateKeyPairSync only takes a 32-bit exponent). The CSR it signs verifies.
 */
export function hugeExponentKey(): { privateKey: KeyObject; exponentBits: number } {
  for (;;) {
    const p = generatePrimeSync(1024, { bigint: true });
    const q = generatePrimeSync(1024, { bigint: true });
    const n = p * q;
    if (bits(n) !== 2048 || p === q) continue;
    const phi = (p - 1n) * (q - 1n);
    let e = (BigInt(`0x${randomBytes(256).toString('hex')}`) % n) | 1n;
    while (gcd(e, phi) !== 1n) e += 2n;
    const d = modInverse(e, phi);
    const jwk = {
      kty: 'RSA', n: b64url(n), e: b64url(e), d: b64url(d), p: b64url(p), q: b64url(q),
      dp: b64url(d % (p - 1n)), dq: b64url(d % (q - 1n)), qi: b64url(modInverse(q, p)),
    };
    return { privateKey: createPrivateKey({ key: jwk, format: 'jwk' }), exponentBits: bits(e) };
  }
}

/** A random odd number of exactly `n` bits (a "modulus" nobody knows the factors of). */
export function randomOdd(n: number): bigint {
  const x = BigInt(`0x${randomBytes(Math.ceil(n / 8)).toString('hex')}`);
  return (x >> BigInt(Math.ceil(n / 8) * 8 - n)) | (1n << BigInt(n - 1)) | 1n;
}

/**
 * The stall of issue 8 item 3: an 8192-bit modulus with an 8191-bit exponent and a signature
 * that does not verify. Checking it with pure-JS big integers took seconds of CPU.
 */
export function stallingCsr(): string {
  return craftCsr({ spki: rsaSpki(randomOdd(8192), randomOdd(8191)), sign: () => randomBytes(1024) });
}

export function rsaKey(modulusLength: number, publicExponent = 65537): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength, publicExponent }).privateKey;
}

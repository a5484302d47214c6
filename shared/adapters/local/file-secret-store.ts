/**
 * SecretStore on the local file system: the files of DATA/pki the operator already knows
 * (README, "What `drcore serve` creates"). A secret named N is up to five files in one 0700
 * directory:
 *   N-key.pem        the private key            0600
 *   N.pem            its certificate            0644 (public: clients are handed ca.pem)
 *   N-issuer.pem     the issuer's certificate   0644 (only when the secret carries one)
 *   N.p12            PKCS#12 (DER)              0600 (only when the secret carries one)
 *   N.p12.password   its password and "\n"      0600
 * so `ca` is ca.pem + ca-key.pem and `admin` is admin.pem, admin-key.pem, admin.p12 and
 * admin.p12.password: a data dir of any earlier version is read as it is.
 *
 * Each file is written to a temp file (0600 or 0644), fsynced, then published: put() by
 * rename (a reader sees the old file or the new one), putIfAbsent() by link(), which never
 * replaces a file, so of two processes racing for the key file exactly one wins; the loser reads
 * the winner's secret. The directory is fsynced after publishing. Files whose content is
 * unchanged are not rewritten (a later start leaves DATA/pki byte for byte as it was), and get()
 * tightens a private file that was loosened back to 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidIdError } from '../../ids.js';
import { PortError } from '../../ports/errors.js';
import { assertSecretName, type PutIfAbsentResult, type Secret, type SecretStore, type StoredSecret } from '../../ports/secret-store.js';

const PRIVATE_MODE = 0o600;
const PUBLIC_MODE = 0o644;
const DIR_MODE = 0o700;
/** How long the loser of a putIfAbsent race waits for the winner to publish its certificate after its key. */
const SETTLE_MS = 2000;

type Part = 'key' | 'cert' | 'issuer' | 'p12Password' | 'p12';
/** Write order: the key first (a certificate on disk is then never newer than its key), the password before its bundle. */
const PARTS: readonly Part[] = ['key', 'cert', 'issuer', 'p12Password', 'p12'];
const MODES: Readonly<Record<Part, number>> = { key: PRIVATE_MODE, cert: PUBLIC_MODE, issuer: PUBLIC_MODE, p12Password: PRIVATE_MODE, p12: PRIVATE_MODE };

/** The file names of secret `name` (e.g. `admin` → admin-key.pem, admin.pem, …). */
export function secretFileNames(name: string): Readonly<Record<Part, string>> {
  assertSecretName(name);
  return { key: `${name}-key.pem`, cert: `${name}.pem`, issuer: `${name}-issuer.pem`, p12Password: `${name}.p12.password`, p12: `${name}.p12` };
}

function hasCode(err: unknown, ...codes: string[]): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}

/** The bytes of each part a secret has. */
function partBytes(secret: Secret): Partial<Record<Part, Buffer>> {
  return {
    key: Buffer.from(secret.privateKeyPem, 'utf8'),
    cert: Buffer.from(secret.certificatePem, 'utf8'),
    ...(secret.issuerCertificatePem !== undefined ? { issuer: Buffer.from(secret.issuerCertificatePem, 'utf8') } : {}),
    ...(secret.pkcs12 !== undefined ? { p12Password: Buffer.from(`${secret.pkcs12.password}\n`, 'utf8'), p12: Buffer.from(secret.pkcs12.der) } : {}),
  };
}

export class FileSecretStore implements SecretStore {
  readonly #dir: string;

  /** `dir` is created (0700) on the first write. */
  constructor(dir: string) {
    this.#dir = resolve(dir);
  }

  async get(name: string): Promise<StoredSecret | undefined> {
    const files = secretFileNames(name);
    return this.#translate(name, 'read', () => this.#read(files));
  }

  async put(name: string, secret: Secret): Promise<void> {
    const files = secretFileNames(name);
    return this.#translate(name, 'write', async () => {
      await this.#ensureDir();
      const bytes = partBytes(secret);
      for (const part of PARTS) {
        const path = this.#path(files[part]);
        const data = bytes[part];
        if (data === undefined) {
          await unlink(path).catch((err: unknown) => { if (!hasCode(err, 'ENOENT')) throw err; });
          continue;
        }
        const current = await readFile(path).catch((err: unknown) => { if (hasCode(err, 'ENOENT')) return undefined; throw err; });
        if (current !== undefined && current.equals(data)) {
          await chmod(path, MODES[part]);
          continue;
        }
        const tmp = await this.#temp(path, data, MODES[part]);
        await rename(tmp, path);
      }
      await this.#syncDir();
    });
  }

  async putIfAbsent(name: string, secret: Secret): Promise<PutIfAbsentResult> {
    const files = secretFileNames(name);
    return this.#translate(name, 'create', async () => {
      const bytes = partBytes(secret);
      // A racing writer publishes its parts one by one: wait for every part this secret has.
      const wanted = PARTS.filter((p) => bytes[p] !== undefined);
      const present = await this.#read(files);
      if (present !== undefined) return { created: false, existing: await this.#settled(files, wanted) };
      await this.#ensureDir();
      const temps = new Map<Part, string>();
      try {
        for (const part of PARTS) {
          const data = bytes[part];
          if (data !== undefined) temps.set(part, await this.#temp(this.#path(files[part]), data, MODES[part]));
        }
        try {
          await link(temps.get('key')!, this.#path(files.key));
        } catch (err) {
          if (!hasCode(err, 'EEXIST')) throw err;
          return { created: false, existing: await this.#settled(files, wanted) };
        }
        for (const part of PARTS) {
          const tmp = temps.get(part);
          if (part === 'key' || tmp === undefined) continue;
          try {
            await link(tmp, this.#path(files[part]));
          } catch (err) {
            if (hasCode(err, 'EEXIST')) throw new PortError(`secret ${name}: ${files[part]} appeared beside a key this call created`, { cause: err });
            throw err;
          }
        }
        await this.#syncDir();
        return { created: true };
      } finally {
        await Promise.all([...temps.values()].map((t) => unlink(t).catch(() => undefined)));
      }
    });
  }

  #path(file: string): string {
    return join(this.#dir, file);
  }

  async #read(files: Readonly<Record<Part, string>>): Promise<StoredSecret | undefined> {
    const got: Partial<Record<Part, Buffer>> = {};
    for (const part of PARTS) {
      const path = this.#path(files[part]);
      try {
        got[part] = await readFile(path);
      } catch (err) {
        if (hasCode(err, 'ENOENT')) continue;
        throw err;
      }
      if (MODES[part] === PRIVATE_MODE && ((await stat(path)).mode & 0o777) !== PRIVATE_MODE) await chmod(path, PRIVATE_MODE);
    }
    if (Object.keys(got).length === 0) return undefined;
    const text = (b: Buffer | undefined) => b?.toString('utf8');
    const password = text(got.p12Password)?.replace(/\r?\n$/, '');
    return {
      ...(got.key !== undefined ? { privateKeyPem: text(got.key)! } : {}),
      ...(got.cert !== undefined ? { certificatePem: text(got.cert)! } : {}),
      ...(got.issuer !== undefined ? { issuerCertificatePem: text(got.issuer)! } : {}),
      ...(got.p12 !== undefined && password !== undefined ? { pkcs12: { der: new Uint8Array(got.p12), password } } : {}),
    };
  }

  /**
   * The secret another writer is publishing: its key is there, its other parts follow at once.
   * Waits (up to SETTLE_MS) until the parts `wanted` — those the caller's own secret has, the same
   * kind of secret — are all there, so a loser never takes a half-published secret for the whole.
   */
  async #settled(files: Readonly<Record<Part, string>>, wanted: readonly Part[]): Promise<StoredSecret> {
    const end = Date.now() + SETTLE_MS;
    const has = async (part: Part) => stat(this.#path(files[part])).then(() => true, () => false);
    for (;;) {
      const complete = (await Promise.all(wanted.map(has))).every(Boolean);
      if (complete || Date.now() > end) return (await this.#read(files)) ?? {};
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async #temp(path: string, data: Buffer, mode: number): Promise<string> {
    const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return tmp;
  }

  async #ensureDir(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: DIR_MODE });
    await chmod(this.#dir, DIR_MODE);
  }

  async #syncDir(): Promise<void> {
    const fh = await open(this.#dir, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
  }

  async #translate<T>(name: string, operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof PortError || err instanceof InvalidIdError) throw err;
      throw new PortError(`secret ${name}: ${operation} under ${this.#dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}

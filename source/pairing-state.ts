import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEFAULT_SOURCE_STATE = '.drcore-source';

/** What the source core remembers about its pairing (no secrets: the key is its own 0600 file). */
export interface PairingState {
  target: string; requestId: string; coreId: string; coreName: string; email: string;
  enrollmentCert: string; enrollmentKey: string; ca: string; status: string; tenantId?: string;
}

export function stateDir(dir: string | undefined): string {
  const d = resolve(dir ?? DEFAULT_SOURCE_STATE);
  mkdirSync(d, { recursive: true, mode: 0o700 });
  return d;
}

/** Atomic write (temp + rename); `secret` files are 0600. */
export function writeStateFile(dir: string, name: string, content: string, secret = false): void {
  const tmp = join(dir, `.${name}.tmp`);
  writeFileSync(tmp, content, { mode: secret ? 0o600 : 0o644 });
  renameSync(tmp, join(dir, name));
}

export function readPairing(dir: string): PairingState | undefined {
  const file = join(dir, 'pairing.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PairingState) : undefined;
}

export function writePairing(dir: string, state: PairingState): void {
  writeStateFile(dir, 'pairing.json', `${JSON.stringify(state, null, 2)}\n`);
}

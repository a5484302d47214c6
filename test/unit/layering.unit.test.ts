/**
 * The layers (DESIGN §3; issue 9 item 2), read from the import graph — every import, `import type`
 * and re-export included, since a type is a dependency too:
 * - the domain (shared/domain) imports nothing but itself;
 * - the application (shared/app) imports the ports, the domain and the formats only (and the
 *   event envelope the EventStore port carries) — never the HTTP edge, adapters or runtime;
 * - the HTTP edge (shared/http) never reaches into the application;
 * - functions only translate: they call the application and the HTTP edge, and decide nothing
 *   (no decider, no domain error of their own); of the domain they use only the id rules.
 * `shared/ids.ts` re-exports the domain's id rules
 * (they count as the domain, and must do nothing else).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);

const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm;
const DYNAMIC = /\bimport\(\s*'([^']+)'\s*\)/g;

/** The repository-relative files one file imports (packages left out). */
function localImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...[...text.matchAll(IMPORT)].map((m) => m[1]!), ...[...text.matchAll(DYNAMIC)].map((m) => m[1]!)];
  return specs.filter((s) => s.startsWith('.')).map((spec) => {
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec.replace(/\.js$/, '.ts')));
    assert.ok(existsSync(join(ROOT, target)), `${file} imports ${spec}, which is not a file`);
    return target;
  });
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return tsFilesUnder(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Files outside shared/domain that only re-export it. */
const DOMAIN_REEXPORTS = ['shared/ids.ts'];
const isDomain = (f: string) => f.startsWith('shared/domain/') || DOMAIN_REEXPORTS.includes(f);

/** `file → target` arrows that break a rule: every one is either forbidden or listed here with its reason. */
function violations(dir: string, allowed: (target: string) => boolean): string[] {
  return tsFilesUnder(dir).flatMap((f) => localImports(f).filter((t) => !allowed(t)).map((t) => `${f} → ${t}`));
}

/**
 * Arrows of the application that the rule does not allow yet, each owned by another change:
 * the certificate parsing (shared/pki) and the logger are not behind ports. The test fails if
 * one of them disappears, so the list only shrinks.
 */
const APP_EXCEPTIONS = [
  'shared/app/authorize.ts → shared/pki/identity.ts',
  'shared/app/certificate-service.ts → shared/pki/identity.ts',
  'shared/app/pairing-service.ts → shared/pki/csr.ts',
  // The one PKI bootstrap (issue 9 item 3) makes the CA and the bundles itself; key and certificate
  // making belongs behind the CertificateAuthority/SecretStore ports, which do not offer it yet.
  'shared/app/pki-bootstrap.ts → shared/pki/ca.ts',
  'shared/app/pki-bootstrap.ts → shared/pki/client-cert.ts',
  'shared/app/pki-bootstrap.ts → shared/pki/identity.ts',
  'shared/app/pki-bootstrap.ts → shared/pki/keys.ts',
  'shared/app/pki-bootstrap.ts → shared/pki/pkcs12.ts',
  'shared/app/workflows/pairing-workflow.ts → shared/runtime/logger.ts',
  // A failed quota-warning notification must not fail the upload whose charge raised it: it is logged.
  'shared/app/replication/storage-quota.ts → shared/runtime/logger.ts',
];

describe('layering: who may import whom', () => {
  it('the domain imports nothing but itself', () => {
    assert.deepEqual(violations('shared/domain', (t) => t.startsWith('shared/domain/')), []);
    for (const f of DOMAIN_REEXPORTS) {
      const text = readFileSync(join(ROOT, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').trim();
      assert.match(text, /^(export \* from '\.\/domain\/[a-z-]+\.js';\s*)+$/, `${f} only re-exports the domain`);
    }
  });

  it('the application imports the ports, the domain and the formats only', () => {
    const allowed = (t: string) => isDomain(t) || ['shared/app/', 'shared/ports/', 'shared/format/', 'shared/events/'].some((p) => t.startsWith(p));
    const found = violations('shared/app', allowed);
    assert.deepEqual(found.filter((v) => !APP_EXCEPTIONS.includes(v)), [], 'arrows the layering forbids');
    assert.deepEqual(APP_EXCEPTIONS.filter((v) => !found.includes(v)), [], 'listed exceptions that are gone: remove them from APP_EXCEPTIONS');
  });

  it('the HTTP edge never reaches into the application', () => {
    const forbidden = ['shared/app/', 'shared/adapters/', 'shared/runtime/deps.ts', 'functions/', 'local/', 'cli/', 'source/'];
    assert.deepEqual(violations('shared/http', (t) => !forbidden.some((p) => t.startsWith(p))), []);
  });

  it('functions only translate: of the domain they use the id rules, nothing that decides', () => {
    const forbidden = (t: string) => (isDomain(t) && t !== 'shared/ids.ts' && t !== 'shared/domain/ids.ts')
      || ['local/', 'cli/', 'source/', 'test/'].some((p) => t.startsWith(p));
    assert.deepEqual(violations('functions', (t) => !forbidden(t)), []);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { HttpProblem } from './problem.js';

/**
 * The admin console's built assets (scripts/build-console.mjs → dist/console-assets/), served
 * at /admin and /apprecovery/admin by the same gateway and handler on both runtimes: `drcore
 * serve` reads them from dist/, the Lambda from the `console-assets/` its bundle carries
 * (infra/constructs/drcore-function.ts). Every answer carries a strict Content-Security-Policy:
 * scripts, styles and connections from this origin only, nothing inline, no frames, no forms
 * posted elsewhere.
 */
export const CONSOLE_ASSETS_DIR = 'console-assets';
export const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000',
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml',
};

interface Asset { readonly body: string; readonly type: string }

/** The first of: $DRCORE_CONSOLE_ASSETS, ./console-assets next to the module (Lambda), dist/console-assets of an ancestor (the checkout). */
export function findConsoleAssets(start = dirname(fileURLToPath(import.meta.url)), env = process.env): string | undefined {
  const given = env['DRCORE_CONSOLE_ASSETS'];
  if (given) return existsSync(join(given, 'index.html')) ? given : undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, CONSOLE_ASSETS_DIR), join(dir, 'dist', CONSOLE_ASSETS_DIR)]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The console's files, read once. */
export class ConsoleAssets {
  private readonly files = new Map<string, Asset>();

  constructor(readonly dir: string | undefined) {
    if (!dir) return;
    for (const name of readdirSync(dir)) {
      const ext = name.slice(name.lastIndexOf('.'));
      const type = TYPES[ext];
      if (type && ASSET_NAME.test(name)) this.files.set(name, { body: readFileSync(join(dir, name), 'utf8'), type });
    }
  }

  /** The console page (index.html), never cached: it names the current hashed assets. */
  page(): APIGatewayProxyResult {
    const index = this.files.get('index.html');
    if (!index) {
      throw new HttpProblem(503, 'Console Not Built', 'the admin console has not been built: run `npm run build` (npm ci and npm start do it)');
    }
    return this.answer(index, 'no-store');
  }

  /** One asset by file name (content-hashed: cached for good). */
  asset(name: string): APIGatewayProxyResult {
    const file = ASSET_NAME.test(name) && name !== 'index.html' ? this.files.get(name) : undefined;
    if (!file) throw new HttpProblem(404, 'Not Found', `the console has no asset ${JSON.stringify(name.slice(0, 130))}`);
    return this.answer(file, 'private, max-age=31536000, immutable');
  }

  private answer(file: Asset, cache: string): APIGatewayProxyResult {
    return { statusCode: 200, headers: { 'content-type': file.type, 'cache-control': cache, ...SECURITY_HEADERS }, body: file.body };
  }
}

let shared: ConsoleAssets | undefined;
/** The assets of this process, found and read on first use. */
export function consoleAssets(): ConsoleAssets {
  shared ??= new ConsoleAssets(findConsoleAssets());
  return shared;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** What a browser downloads for the console's first load, gzipped (issue 14: at most 300 KB). */
export const CONSOLE_GZIP_BUDGET_BYTES = 300 * 1000;

export interface AssetSize { readonly name: string; readonly bytes: number; readonly gzipBytes: number }

/** The size of every file the console page loads (index.html, its script and stylesheet), raw and gzipped (level 9). */
export function consoleAssetSizes(dir: string): { files: AssetSize[]; bytes: number; gzipBytes: number } {
  const files = readdirSync(dir).filter((n) => /\.(html|js|css)$/.test(n) && statSync(join(dir, n)).isFile()).sort().map((name) => {
    const body = readFileSync(join(dir, name));
    return { name, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
  });
  return { files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0) };
}

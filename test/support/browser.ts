/**
 * Debian's Chromium, headless, driven by playwright-core (STACK-NOTES "Chromium + playwright-core"),
 * for the admin console's browser tests. No Chromium is a failure that says how to get one
 * (`apt-get install -y chromium`; .ci/run installs it), never a silent pass.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './in-process-core.js';

export const CHROMIUM = process.env['DRCORE_CHROMIUM'] ?? '/usr/lib/chromium/chromium';
/** Screenshots and reports of the console tests (gitignored). */
export const CONSOLE_OUTPUT = join(ROOT, 'test-output', 'console');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does), or set DRCORE_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** A context that presents a PKCS#12 bundle to `origin` (the private CA's server certificate is accepted). */
export function contextWithBundle(browser: Browser, origin: string, pfxPath: string, passphrase: string): Promise<BrowserContext> {
  return browser.newContext({ clientCertificates: [{ origin, pfxPath, passphrase }], ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
}

/** A context that presents a PEM certificate and key to `origin`. */
export function contextWithPem(browser: Browser, origin: string, certPath: string, keyPath: string): Promise<BrowserContext> {
  return browser.newContext({ clientCertificates: [{ origin, certPath, keyPath }], ignoreHTTPSErrors: true });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(CONSOLE_OUTPUT, { recursive: true });
  const path = join(CONSOLE_OUTPUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

interface AxeResult { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }> }

/**
 * axe-core run in the page (WCAG 2 A/AA rules). Its source is evaluated through the DevTools
 * protocol, not added as a script element: the console's CSP refuses inline scripts, as it should.
 */
export async function axe(page: Page, source: string): Promise<AxeResult['violations']> {
  await page.evaluate(`${source}\n;undefined`);
  const result = await page.evaluate<AxeResult>("axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })");
  return result.violations;
}

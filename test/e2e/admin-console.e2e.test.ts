/**
 * The admin console in a real browser (issue 14): Debian's Chromium, headless, with the admin
 * PKCS#12 bundle as its client certificate, against a real core over mutual TLS; the source side
 * is the real `drcore source` CLI (spawned). Screenshots of each page go to test-output/console/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axe, contextWithBundle, contextWithPem, launchChromium, screenshot } from '../support/browser.js';
import { drcore, eventually, ROOT, startCore, type TestCore } from '../support/in-process-core.js';
import { replicateArgs } from './source-cli.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { runRpoJob } from '../../shared/app/lifecycle/rpo-job.js';

const run = promisify(execFile);
const GIB = 1024 ** 3;

/** A request with the source core's certificate, as its replication would make it. */
function sourceRequest(url: string, state: { cert: string; key: string; ca: string }, method: string, path: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, cert: state.cert, key: state.key, ca: state.ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('admin console in Chromium over mutual TLS', () => {
  let t: TestCore;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let assetsDir: string;
  let axeSource: string;
  let pairedState: string;
  let tenantId: string;
  /** The core's clock runs this far ahead (a machine past its RPO without waiting for it). */
  let skewMs = 0;

  before(async () => {
    // The console as this checkout's sources build it (the core finds it through DRCORE_CONSOLE_ASSETS).
    assetsDir = await mkdtemp(join(tmpdir(), 'drcore-console-'));
    await run(process.execPath, [join(ROOT, 'scripts/build-console.mjs'), assetsDir], { cwd: ROOT });
    process.env['DRCORE_CONSOLE_ASSETS'] = join(assetsDir, 'console-assets');
    t = await startCore({ deps: (dataDir) => Object.assign(localDeps(dataDir), { clock: () => new Date(Date.now() + skewMs) }) });
    browser = await launchChromium();
    const p = t.core.pki;
    admin = await contextWithBundle(browser, t.url, p.adminP12, (await readFile(p.adminP12Password, 'utf8')).trim());
    page = await admin.newPage();
    axeSource = await readFile(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  });
  after(async () => {
    await admin?.close();
    await browser?.close();
    await t?.stop();
    await rm(assetsDir, { recursive: true, force: true });
  });

  function pairArgs(state: string, name: string): string[] {
    const p = t.core.pki;
    return ['source', 'pair', '--target', t.url, '--ca', p.caCert, '--enrollment-cert', p.enrollmentCert, '--enrollment-key', p.enrollmentKey,
      '--core-name', name, '--email', `${name.toLowerCase().replace(/\W+/g, '-')}@example.com`, '--customer-id', 'CUST-7', '--message', `Please protect ${name}.`, '--state', state];
  }
  async function file(state: string, name: string): Promise<string> {
    const out = await drcore(pairArgs(state, name));
    assert.equal(out.code, 0, out.stderr);
    const id = /Pairing request (\S+) submitted/.exec(out.stdout)?.[1];
    assert.ok(id, out.stdout);
    return id;
  }
  async function open(hash: string): Promise<void> {
    // Leave a page only once its requests are answered: a request cut off mid-way makes
    // Playwright's client-certificate proxy answer the next navigation with ERR_TOO_MANY_RETRIES.
    await page.waitForLoadState('networkidle');
    await page.goto('about:blank'); // a new document each time (a goto that only changes the hash answers no response)
    const res = await page.goto(`${t.url}/admin#/${hash}`);
    assert.equal(res?.status(), 200);
  }
  async function noSeriousViolations(name: string): Promise<void> {
    const violations = (await axe(page, axeSource)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(violations.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`), [], `axe on ${name}`);
  }

  it('serves the console at /admin and /apprecovery/admin with a strict CSP; an inline script does not run', async () => {
    for (const path of ['/admin', '/apprecovery/admin']) {
      const res = await page.goto(`${t.url}${path}`);
      assert.equal(res?.status(), 200, path);
      const csp = res?.headers()['content-security-policy'] ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
    }
    const ran = await page.evaluate(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
      return window.__inlineRan ?? false;
    })()`);
    assert.equal(ran, false, 'the CSP refuses inline scripts');
    const html = await (await page.request.get(`${t.url}/admin`)).text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script element in the page');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin (no CDN)');
  });

  it('a pairing request made with the CLI appears, is approved in the browser, and the tenant shows with its quota', async () => {
    pairedState = join(t.dir, 'source-a');
    const id = await file(pairedState, 'Acme Core');
    await open('');
    await eventually(async () => {
      await page.reload();
      const badge = await page.getByTestId('pending-badge').textContent({ timeout: 10_000 });
      return badge === '1' ? true : undefined;
    }, 15_000, 'the pending badge');

    await page.getByRole('link', { name: /Pairing requests/ }).click();
    const card = page.locator(`[data-request="${id}"]`);
    await card.getByText('Please protect Acme Core.').waitFor();
    await card.getByText('acme-core@example.com', { exact: true }).waitFor();
    await screenshot(page, 'pairing-requests');
    await noSeriousViolations('pairing requests');

    await card.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve Acme Core' });
    // Refused first (a quota over 1 PiB): the core's error in words in the dialog, what was typed kept.
    await dialog.getByLabel('Quota (GiB)').fill('2000000');
    await dialog.getByRole('button', { name: 'Confirm: Approve' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.textContent() ?? '', /^4\d\d [A-Za-z ]+: .*quotaBytes/);
    assert.equal(await dialog.getByLabel('Quota (GiB)').inputValue(), '2000000');
    await dialog.getByLabel('Quota (GiB)').fill('50');
    await dialog.getByLabel('Keep daily (optional)').fill('7');
    await dialog.getByLabel('RPO target in minutes (optional)').fill('60');
    await dialog.getByRole('button', { name: 'Confirm: Approve' }).click();
    await dialog.getByText('Done.').waitFor();
    assert.match(await dialog.locator('.event-appended').textContent() ?? '', new RegExp(`PairingApproved on pairing:${id}`));
    await dialog.getByRole('button', { name: 'Close' }).click();

    const status = await drcore(['source', 'status', '--state', pairedState]);
    assert.match(status.stdout, /Paired as tenant t-|Status: approved/, status.stdout);
    const tenants = (await (await t.client('admin')).json<{ items: Array<{ tenantId: string; name: string; quotaBytes: number }> }>('GET', '/v1/admin/tenants')).items;
    const tenant = tenants.find((x) => x.name === 'Acme Core');
    assert.ok(tenant);
    assert.equal(tenant.quotaBytes, 50 * GIB);
    assert.equal((tenant as { rpoTargetSeconds?: number }).rpoTargetSeconds, 3600, 'the RPO target typed at approval');
    tenantId = tenant.tenantId;

    await page.getByRole('link', { name: 'Tenants' }).click();
    const row = page.locator(`[data-tenant="${tenantId}"]`);
    assert.equal(await row.locator('[data-quota]').textContent(), '50.0 GiB');
  });

  it('with replicated data: overview, tenant, jobs and event log pages render real figures, pass axe, and are screenshotted', async () => {
    await eventually(async () => ((await drcore(['source', 'status', '--state', pairedState])).stdout.includes('certificate stored') ? true : undefined), 30_000, 'the source certificate');
    const image = join(t.dir, 'disk.img');
    await writeFile(image, randomBytes(4.5 * 1024 * 1024)); // incompressible: the charts show MiB, not bytes
    for (let i = 0; i < 2; i++) {
      const r = await drcore(replicateArgs('web-01', pairedState, { sda: image }), { timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stderr);
      await writeFile(image, Buffer.from(`change ${i}`), { flag: 'r+' });
    }
    await eventually(async () => {
      const d = await (await t.client('admin')).json<{ machines: Array<{ rpCount: number }> }>('GET', `/v1/admin/tenants/${tenantId}`);
      return d.machines[0]?.rpCount === 2 ? true : undefined;
    }, 30_000, 'the RPs in the read model');

    // The quota lowered in the browser, to near the usage: the overview lists the tenant.
    await open(`tenants/${tenantId}`);
    await page.getByRole('button', { name: 'Change quota' }).click();
    const quota = page.getByRole('dialog', { name: /Quota of Acme Core/ });
    await quota.getByLabel('Quota (GiB)').fill('0.005');
    await quota.getByRole('button', { name: 'Confirm: Change quota' }).click();
    await quota.getByText('Done.').waitFor();
    assert.match(await quota.locator('.event-appended').textContent() ?? '', new RegExp(`TenantQuotaChanged on tenant:${tenantId}`));
    await quota.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('tenant-quota').getByText('5.12 MiB').waitFor();

    // A byte flipped in the biggest stored pack, found by the verify job (the CLI): a verify failure to show.
    const packs = join(t.dataDir, 'blobs', 'tenants', tenantId, 'packs');
    const biggest = readdirSync(packs).map((f) => ({ f, size: statSync(join(packs, f)).size })).sort((a, b) => b.size - a.size)[0]!;
    const fd = openSync(join(packs, biggest.f), 'r+');
    try {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, Math.floor(biggest.size / 2));
      b[0] = (b[0] ?? 0) ^ 0x01;
      writeSync(fd, b, 0, 1, Math.floor(biggest.size / 2));
    } finally { closeSync(fd); }
    const verified = await drcore(['admin', 'verify', '--tenant', tenantId, '--json', '--url', t.url, '--data', t.dataDir]);
    assert.equal(verified.code, 1, `verify finds the damage: ${verified.stderr}`);
    await eventually(async () => {
      const d = await (await t.client('admin')).json<{ verification: { damaged: number } }>('GET', `/v1/admin/tenants/${tenantId}`);
      return d.verification.damaged > 0 ? true : undefined;
    }, 30_000, 'the damage in the read model');

    await open('');
    await page.getByRole('heading', { name: 'Charts' }).waitFor();
    await page.getByRole('listitem').filter({ hasText: /Acme Core: .*damaged RPs/ }).waitFor();
    const tight = page.locator('table', { has: page.getByRole('columnheader', { name: 'Estimated full' }) });
    await tight.getByRole('row', { name: /Acme Core/ }).waitFor();
    await page.locator('.chart canvas').first().waitFor();
    assert.equal(await page.locator('.chart canvas').count(), 4, 'storage, RPs, bytes and replication lag');
    await page.getByRole('figure', { name: /Replication lag per machine/ }).locator('canvas').waitFor();
    // Just replicated, against its 60 min RPO target: online (green), none past it.
    assert.equal(await page.getByTestId('machines').locator('[data-machine="web-01"]').getAttribute('data-health'), 'green');
    await page.getByTestId('past-rpo-none').waitFor();

    // Three hours later (the core's clock): web-01 is past its RPO (red); the RPO job records it.
    skewMs = 3 * 3600_000;
    const rpo = await runRpoJob(t.deps);
    assert.equal(rpo.pastRpo, 1, JSON.stringify(rpo));
    // A seed whose file was damaged on its way: the import fails naming the file.
    const seedOut = join(t.dir, 'seed-out');
    const exported = await drcore(['source', 'seed', 'export', '--machine', 'seed-01', '--volume', `sda=${image}`, '--out', seedOut, '--max-size', '64M', '--state', pairedState, '--json']);
    assert.equal(exported.code, 0, exported.stderr);
    await cp(seedOut, join(t.dataDir, 'seed-inbox', 'damaged'), { recursive: true });
    const label = JSON.parse(await readFile(join(seedOut, 'medium-01', 'medium.json'), 'utf8')) as { files: Array<{ path: string }> };
    const victim = label.files.find((f) => f.path.endsWith('.dseed'))?.path ?? label.files[0]!.path;
    const victimPath = join(t.dataDir, 'seed-inbox', 'damaged', victim);
    const seedBytes = await readFile(victimPath);
    seedBytes[Math.floor(seedBytes.length / 2)]! ^= 0x01;
    await writeFile(victimPath, seedBytes);
    const adminApi = await t.client('admin');
    const started = await adminApi.json<{ importId: string }>('POST', '/v1/admin/seed-imports', { tenantId, prefix: 'damaged' });
    await eventually(async () => ((await adminApi.json<{ status: string }>('GET', `/v1/admin/seed-imports/${started.importId}`)).status === 'failed' ? true : undefined), 60_000, 'the seed import to fail');

    await open('');
    const late = page.getByTestId('past-rpo').locator('[data-machine="web-01"]');
    await late.waitFor();
    assert.equal(await late.getAttribute('data-health'), 'red');
    assert.match(await late.textContent() ?? '', /severely-exceeded/);
    const failedSeed = page.getByTestId('seed-failed').locator(`[data-import="${started.importId}"]`);
    await failedSeed.getByText(victim, { exact: true }).waitFor();
    assert.match(await failedSeed.textContent() ?? '', /failed/);
    await page.locator('.chart canvas').nth(3).waitFor();
    await screenshot(page, 'overview');
    await noSeriousViolations('overview');
    skewMs = 0;

    await open(`tenants/${tenantId}`);
    await page.getByRole('heading', { name: /Acme Core/, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Show recovery points' }).click();
    await page.locator('table tbody tr', { hasText: 'base' }).first().waitFor();
    assert.equal(await page.locator('table tbody tr', { hasText: /incremental|base/ }).count(), 2);
    await page.locator('.chart canvas').first().waitFor();
    await screenshot(page, 'tenant');
    await noSeriousViolations('tenant');

    await open('tenants');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Export usage/ }).click();
    const csv = await readFile(await (await download).path(), 'utf8');
    assert.match(csv, /^tenant_id,tenant_name,day,stored_bytes,quota_bytes\r\n/);
    assert.match(csv, new RegExp(`${tenantId},Acme Core,\\d{4}-\\d\\d-\\d\\d,[1-9]\\d*,${Math.round(0.005 * GIB)}`));
    await screenshot(page, 'tenants');
    await noSeriousViolations('tenants');

    await open('jobs');
    await page.getByRole('heading', { name: 'Projection dead letters' }).waitFor();
    await page.getByRole('row', { name: /^Verify \d+ [1-9]/ }).waitFor();
    await page.getByRole('row', { name: /ChunkCorrupted/ }).waitFor();
    await page.getByRole('row', { name: /^Seed import \d+ 1/ }).waitFor();
    await page.getByRole('row', { name: /^RPO 1 1/ }).waitFor();
    await page.getByTestId('rpo-events').getByRole('row', { name: /MachineRpoExceeded web-01 .* severely-exceeded 3(\.0)? h \/ 1 h/ }).waitFor();
    await page.getByTestId('seed-imports').locator(`[data-import="${started.importId}"]`).getByText(victim, { exact: true }).waitFor();
    await screenshot(page, 'jobs');
    await noSeriousViolations('jobs');

    await open('events');
    await page.locator('table.events tbody tr').first().waitFor();
    await page.getByLabel('Type').selectOption('RecoveryPointCommitted');
    assert.equal(await page.locator('table.events tbody tr').count(), 2);
    await page.getByLabel('Type').selectOption('');
    await page.getByLabel('Stream').fill(`tenant:${tenantId}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('table.events tbody tr', { hasText: 'TenantCreated' }).waitFor();
    await page.getByRole('button', { name: 'Verify hash chains' }).click();
    assert.match(await page.getByTestId('chain-result').textContent() ?? '', /Hash chains intact: \d+ events in \d+ streams verified/);
    await screenshot(page, 'events');
    await noSeriousViolations('events');
  });

  it('the event log follows live: an event appended meanwhile shows up', async () => {
    await open('events');
    await page.getByLabel('Follow live').check();
    await page.locator('table.events tbody tr').first().waitFor();
    const second = join(t.dir, 'source-live');
    await file(second, 'Live Core');
    await page.locator('table.events tbody tr', { hasText: 'PairingRequested' }).filter({ hasText: 'Live Core' }).or(
      page.locator('table.events tbody tr', { hasText: 'Live Core' })).first().waitFor({ timeout: 15_000 });
  });

  it('a reject with a reason in the browser reaches the source core\'s feedback', async () => {
    const state = join(t.dir, 'source-b');
    const id = await file(state, 'Bogus Core');
    await open('pairing');
    const card = page.locator(`[data-request="${id}"]`);
    await card.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reject Bogus Core' });
    await dialog.getByLabel('Reason (the source sees it)').fill('no contract with this customer');
    await dialog.getByRole('button', { name: 'Confirm: Reject' }).click();
    await dialog.getByText('Done.').waitFor();
    assert.match(await dialog.locator('.event-appended').textContent() ?? '', /PairingRejected/);
    await dialog.getByRole('button', { name: 'Close' }).click();

    const status = await drcore(['source', 'status', '--state', state]);
    assert.match(status.stdout, /Rejected: no contract with this customer/);
    await page.getByLabel('Show').selectOption('rejected');
    const rejected = page.locator(`[data-request="${id}"]`);
    await rejected.getByRole('button', { name: "Show the source's feedback" }).click();
    await rejected.locator('.feedback').getByText(/no contract with this customer/).waitFor();
  });

  it('a tenant suspended in the browser is refused (403) on replication; resumed, it is accepted again', async () => {
    const state = { cert: await readFile(join(pairedState, 'cert.pem'), 'utf8'), key: await readFile(join(pairedState, 'key.pem'), 'utf8'), ca: await readFile(join(pairedState, 'ca.pem'), 'utf8') };
    const register = () => sourceRequest(t.url, state, 'PUT', '/v1/machines/db-01', { name: 'db-01', volumes: [{ name: 'sda', sizeBytes: 1048576 }] });
    await open(`tenants/${tenantId}`);
    await page.getByRole('button', { name: 'Suspend' }).click();
    const dialog = page.getByRole('dialog', { name: /Suspend Acme Core/ });
    await dialog.getByLabel('Reason (the source sees it)').fill('invoice 42 unpaid');
    await dialog.getByRole('button', { name: 'Confirm: Suspend' }).click();
    await dialog.getByText('Done.').waitFor();
    assert.match(await dialog.locator('.event-appended').textContent() ?? '', new RegExp(`TenantSuspended on tenant:${tenantId}`));
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { name: /Acme Core/ }).getByText('suspended').waitFor();

    const refused = await register();
    assert.ok(refused.status === 403 || refused.status === 423, `${refused.status} ${refused.body}`);
    assert.match(refused.body, /invoice 42 unpaid/);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog', { name: /Resume Acme Core/ }).getByRole('button', { name: 'Confirm: Resume' }).click();
    await page.getByRole('dialog', { name: /Resume Acme Core/ }).getByText('Done.').waitFor();
    assert.ok([200, 201].includes((await register()).status));
  });

  it('replication paused in the browser: the source gets 423 with the reason; resumed, it is accepted again; a machine paused alone', async () => {
    const state = { cert: await readFile(join(pairedState, 'cert.pem'), 'utf8'), key: await readFile(join(pairedState, 'key.pem'), 'utf8'), ca: await readFile(join(pairedState, 'ca.pem'), 'utf8') };
    const register = (m: string) => sourceRequest(t.url, state, 'PUT', `/v1/machines/${m}`, { name: m, volumes: [{ name: 'sda', sizeBytes: 1048576 }] });
    await open(`tenants/${tenantId}`);
    await page.getByRole('button', { name: 'Pause replication' }).click();
    const dialog = page.getByRole('dialog', { name: /Pause replication of Acme Core/ });
    await dialog.getByLabel('Reason (the source sees it)').fill('storage maintenance until 18:00');
    await dialog.getByRole('button', { name: 'Confirm: Pause replication' }).click();
    await dialog.getByText('Done.').waitFor();
    assert.match(await dialog.locator('.event-appended').textContent() ?? '', new RegExp(`TenantReplicationPaused on tenant:${tenantId}`));
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('replication-state').getByText('storage maintenance until 18:00').waitFor();
    await page.getByTestId('tenant-lag').locator('[data-machine="web-01"][data-health="yellow"]').waitFor();

    const refused = await register('db-01');
    assert.equal(refused.status, 423, refused.body);
    assert.match(refused.body, /storage maintenance until 18:00/);
    await open('');
    assert.equal(await page.getByTestId('machines').locator('[data-machine="web-01"]').getAttribute('data-health'), 'yellow');

    await open(`tenants/${tenantId}`);
    await page.getByRole('button', { name: 'Resume replication' }).click();
    const resume = page.getByRole('dialog', { name: /Resume replication of Acme Core/ });
    await resume.getByRole('button', { name: 'Confirm: Resume replication' }).click();
    await resume.getByText('Done.').waitFor();
    assert.match(await resume.locator('.event-appended').textContent() ?? '', /TenantReplicationResumed/);
    await resume.getByRole('button', { name: 'Close' }).click();
    assert.ok([200, 201].includes((await register('db-01')).status), 'accepted again');

    // One machine paused: its writes refused, the tenant's other machines go on.
    await page.getByTestId('tenant-lag').locator('[data-machine="web-01"]').getByRole('button', { name: 'Pause machine' }).click();
    const pm = page.getByRole('dialog', { name: /Pause replication of web-01/ });
    await pm.getByLabel('Reason (the source sees it)').fill('disk swap on web-01');
    await pm.getByRole('button', { name: 'Confirm: Pause machine' }).click();
    await pm.getByText('Done.').waitFor();
    assert.match(await pm.locator('.event-appended').textContent() ?? '', new RegExp(`MachineReplicationPaused on machine:${tenantId}:web-01`));
    await pm.getByRole('button', { name: 'Close' }).click();
    // A write of that machine (asking which chunks the core lacks) gets 423 with the reason.
    const write = (m: string) => sourceRequest(t.url, state, 'POST', `/v1/machines/${m}/recovery-points/rp-paused-check/missing`, { chunks: ['0'.repeat(64)] });
    const web = await write('web-01');
    assert.equal(web.status, 423, web.body);
    assert.match(web.body, /disk swap on web-01/);
    assert.ok([200, 201].includes((await register('db-01')).status), 'the other machine goes on');
    await page.getByTestId('tenant-lag').locator('[data-machine="web-01"]').getByRole('button', { name: 'Resume machine' }).click();
    const rm = page.getByRole('dialog', { name: /Resume replication of web-01/ });
    await rm.getByRole('button', { name: 'Confirm: Resume machine' }).click();
    await rm.getByText('Done.').waitFor();
    await rm.getByRole('button', { name: 'Close' }).click();
    const again = await write('web-01');
    assert.notEqual(again.status, 423, `resumed: ${again.status} ${again.body}`);
  });

  it('RPO target, lease end and upload limit are set in the browser; a GC dry run reports what it would free', async () => {
    await open(`tenants/${tenantId}`);
    const set = async (button: string, title: RegExp, label: string, value: string, event: string) => {
      await page.getByRole('button', { name: button, exact: true }).click();
      const d = page.getByRole('dialog', { name: title });
      await d.getByLabel(label).fill(value);
      await d.getByRole('button', { name: `Confirm: ${button}` }).click();
      await d.getByText('Done.').waitFor();
      assert.match(await d.locator('.event-appended').textContent() ?? '', new RegExp(`${event} on tenant:${tenantId}`));
      await d.getByRole('button', { name: 'Close' }).click();
    };
    await set('RPO target', /RPO target of/, 'RPO target (minutes)', '240', 'TenantRpoTargetChanged');
    await page.getByTestId('rpo-target').getByText('4 h').waitFor();
    await set('Lease end', /Lease end of/, 'Lease ends (YYYY-MM-DD or ISO time, UTC)', '2099-06-30', 'TenantLeaseChanged');
    await page.getByTestId('lease-end').getByText('2099-06-30 00:00:00 UTC').waitFor();
    await set('Upload limit', /Upload limit of/, 'Upload limit (MiB/s)', '2', 'TenantBandwidthLimitChanged');
    await page.getByTestId('bandwidth').getByText('2.00 MiB/s').waitFor();
    const api = await t.client('admin');
    const tenant = await api.json<{ rpoTargetSeconds?: number; leaseEndsAt?: string; bandwidthLimitBytesPerSecond?: number }>('GET', `/v1/admin/tenants/${tenantId}`);
    assert.deepEqual([tenant.rpoTargetSeconds, tenant.leaseEndsAt, tenant.bandwidthLimitBytesPerSecond], [14_400, '2099-06-30T00:00:00Z', 2 * 1024 * 1024]);

    await page.getByTestId('gc-last').getByText('none yet').waitFor();
    await page.getByRole('button', { name: 'GC dry run' }).click();
    const gc = page.getByRole('dialog', { name: /GC dry run of/ });
    await gc.getByRole('button', { name: 'Confirm: GC dry run' }).click();
    await gc.getByText('Done.').waitFor();
    assert.match(await gc.locator('.event-appended').textContent() ?? '', new RegExp(`GcRunStarted on gc:${tenantId}`));
    await gc.getByRole('button', { name: 'Close' }).click();
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh GC status' }).click();
      return /\(dry run\): would free \d/.test(await page.getByTestId('gc-last').textContent() ?? '') ? true : undefined;
    }, 60_000, 'the dry run to finish');
    await screenshot(page, 'tenant-replication');
    await noSeriousViolations('tenant with replication controls');
    await open('jobs');
    await page.getByTestId('gc-runs').getByRole('row', { name: /finished/ }).getByText('(dry run)').waitFor();
    await page.getByRole('row', { name: /^Garbage collection \d+ 0/ }).waitFor();
  });

  it('an API error is shown in words', async () => {
    await open('tenants/t-does-not-exist');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent() ?? '', /Could not load tenant t-does-not-exist\. 404 Not Found: tenant t-does-not-exist does not exist/);
  });

  it('keyboard: the skip link, the main navigation and a dialog work without a mouse', async () => {
    await open('');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string>('document.activeElement?.textContent'), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string>('document.activeElement?.textContent'), 'Overview');
    await page.keyboard.press('Tab');
    assert.match(await page.evaluate<string>("document.activeElement?.textContent ?? ''"), /^Pairing requests/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Pairing requests', level: 1 }).waitFor();
    await page.getByLabel('Show').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string>('document.activeElement?.textContent'), 'Refresh');
    // A dialog opened from the keyboard takes the focus and Escape closes it.
    await open(`tenants/${tenantId}`);
    await page.getByRole('button', { name: 'Change quota' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /Quota of/ });
    await dialog.waitFor();
    assert.equal(await page.evaluate<boolean>("document.activeElement?.closest('dialog') !== null"), true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('no certificate, or a source core\'s certificate, is refused', async () => {
    const bare = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const p = await bare.newPage();
      let status: number | undefined;
      let error = '';
      try { status = (await p.goto(`${t.url}/admin`))?.status(); } catch (e) { error = (e as Error).message; }
      assert.ok(status === undefined ? /ERR_/.test(error) : status >= 400, `no certificate: ${status ?? error}`);
    } finally { await bare.close(); }

    const source = await contextWithPem(browser, t.url, join(pairedState, 'cert.pem'), join(pairedState, 'key.pem'));
    try {
      const p = await source.newPage();
      for (const path of ['/admin', '/apprecovery/admin', '/admin/assets/index.html']) {
        const res = await p.goto(`${t.url}${path}`);
        assert.equal(res?.status(), 403, `source core on ${path}`);
        assert.match(await res?.text() ?? '', /admin/);
      }
    } finally { await source.close(); }

    const enrollment = await contextWithPem(browser, t.url, t.core.pki.enrollmentCert, t.core.pki.enrollmentKey);
    try {
      const res = await (await enrollment.newPage()).goto(`${t.url}/admin`);
      assert.equal(res?.status(), 403, 'enrollment certificate');
    } finally { await enrollment.close(); }
  });

  it('a tenant is deleted in the browser only with its id typed again; then its writes are refused', async () => {
    const state = { cert: await readFile(join(pairedState, 'cert.pem'), 'utf8'), key: await readFile(join(pairedState, 'key.pem'), 'utf8'), ca: await readFile(join(pairedState, 'ca.pem'), 'utf8') };
    await open(`tenants/${tenantId}`);
    await page.getByRole('button', { name: 'Delete tenant' }).click();
    const d = page.getByRole('dialog', { name: /Delete Acme Core/ });
    await d.getByLabel('Tenant id').fill('t-wrong');
    await d.getByLabel('Reason (the source sees it)').fill('contract ended');
    await d.getByRole('button', { name: 'Confirm: Delete tenant' }).click();
    assert.match(await d.getByRole('alert').textContent() ?? '', /^422 .*/);
    await d.getByLabel('Tenant id').fill(tenantId);
    await d.getByRole('button', { name: 'Confirm: Delete tenant' }).click();
    await d.getByText('Done.').waitFor();
    assert.match(await d.locator('.event-appended').textContent() ?? '', new RegExp(`TenantDeleted on tenant:${tenantId}`));
    await d.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('tenant-deleted').getByText('contract ended').waitFor();
    const refused = await sourceRequest(t.url, state, 'PUT', '/v1/machines/db-01', { name: 'db-01', volumes: [{ name: 'sda', sizeBytes: 1048576 }] });
    assert.equal(refused.status, 403, refused.body);
  });
});

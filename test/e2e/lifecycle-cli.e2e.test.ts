/**
 * The lifecycle commands end to end (a spawned `drcore serve`, the real CLI): `drcore admin
 * retention` shows and changes a tenant's retention and, with --dry-run, what the next run would
 * do (nothing changes); `drcore admin delete-rp` needs its second step (--confirm RPID); the
 * tenant's source core lists its recycle bin and restores from it (`drcore source bin`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutateBlocks, writeImage } from '../../bench/image.js';
import { CoreProcess, runCli, type PairedSource } from '../support/core-process.js';
import { replicate, snapshot, summaryOf } from './source-cli.js';

const MiB = 1024 * 1024;

describe('lifecycle CLI: retention, operator deletion, the recycle bin', { timeout: 300_000 }, () => {
  let dir: string;
  let core: CoreProcess;
  let a: PairedSource;
  const rps: string[] = [];
  const admin = (...args: string[]) => runCli(['admin', ...args, '--data', core.dataDir, '--url', core.url]);
  const source = (...args: string[]) => runCli(['source', ...args, '--state', a.stateDir]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drcore-lifecycle-e2e-'));
    core = await CoreProcess.start(join(dir, 'data'));
    a = await core.pairSource(join(dir, 'source-a'), 'lifecycle-core');
    const image = join(dir, 'disk.img');
    writeImage(image, 8 * MiB);
    rps.push(summaryOf(await replicate('web-01', a.stateDir, { sda: snapshot(image, join(dir, 'one.img')) })).rpId);
    mutateBlocks(image, 8 * MiB, 64 * 1024, 0.05, 7);
    rps.push(summaryOf(await replicate('web-01', a.stateDir, { sda: image })).rpId);
  });
  after(async () => {
    await core?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('admin retention shows the default policy; --set changes it; --dry-run says what the next run would do and changes nothing', async () => {
    const shown = await admin('retention', a.tenantId);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /keep-last=10,keep-hourly=24,keep-daily=14,keep-weekly=8,keep-monthly=12,keep-yearly=2; the recycle bin keeps an RP 14 days/);
    const set = await admin('retention', a.tenantId, '--set', 'keep-last=1', '--bin-days', '3', '--dry-run');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /keep-last=1; the recycle bin keeps an RP 3 days/);
    assert.match(set.stdout, new RegExp(`${rps[0]}\\s+expire → recycle bin`));
    assert.match(set.stdout, new RegExp(`roll up ${rps[1]} into a base, folding ${rps[0]}`));
    const json = JSON.parse((await admin('retention', a.tenantId, '--dry-run', '--json')).stdout) as { next: { machines: { expired: string[] }[] } };
    assert.deepEqual(json.next.machines[0]?.expired, [rps[0]], 'the dry run expired nothing: the next one would still');
    const bad = await admin('retention', a.tenantId, '--set', 'keep-fortnightly=2');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^drcore: not a retention rule: keep-fortnightly=2/m);
  });

  it('admin delete-rp refuses without --confirm, and with another id; with it the RP goes to the bin; the source lists it and restores it', async () => {
    const rp = rps[1]!;
    const first = await admin('delete-rp', a.tenantId, rp, '--reason', 'suspected ransomware');
    assert.equal(first.code, 2);
    assert.match(first.stderr, new RegExp(`needs a second step: nothing was deleted\\nhint: repeat with --confirm ${rp}`));
    const wrong = await admin('delete-rp', a.tenantId, rp, '--reason', 'x', '--confirm', rps[0]!);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Confirmation Mismatch/);
    const ok = await admin('delete-rp', a.tenantId, rp, '--reason', 'suspected ransomware', '--confirm', rp);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`Deleted ${rp} .* into the recycle bin of ${a.tenantId}: restorable by the tenant until 20`));

    let listed = '';
    for (let i = 0; i < 50 && !listed.includes(rp); i++) listed = (await source('bin', 'list')).stdout; // the projection may lag a moment
    assert.match(listed, new RegExp(`${rp}\\s+web-01\\s+incremental .* deleted by the provider`));
    const tenant = await admin('tenant', a.tenantId);
    assert.match(tenant.stdout, /recycle bin\s+1 RPs, [\d.]+ (KiB|MiB) \(not counted in used\)/);
    assert.match(tenant.stdout, /retention\s+keep-last=1; 3 days in the bin/);
    const back = await source('bin', 'restore', rp);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, new RegExp(`Restored ${rp} \\(machine web-01\\) from the recycle bin`));
    const again = await source('bin', 'restore', rp);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not in the recycle bin/);
    const usage = await source('bin', 'restore');
    assert.equal(usage.code, 2);
  });

  it('admin usage --csv exports a row per tenant and day with stored, logical, bin and egress bytes', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await admin('usage', '--from', today, '--to', today, '--tenant', a.tenantId, '--csv');
    assert.equal(r.code, 0, r.stderr);
    const [header, row, ...rest] = r.stdout.trim().split('\n');
    assert.equal(header, 'tenant,day,stored_bytes,logical_bytes,bin_bytes,egress_bytes,quota_bytes');
    assert.deepEqual(rest, []);
    const [tenant, day, stored, logical, bin, egress, quota] = (row ?? '').split(',');
    assert.deepEqual([tenant, day], [a.tenantId, today]);
    for (const [name, v] of Object.entries({ stored, logical, bin, egress, quota })) assert.match(v ?? '', /^\d+$/, `${name} is a byte count`);
    assert.ok(Number(stored) > 0 && Number(logical) >= Number(stored), 'the source replicated: stored, and logical at least as much (dedup and compression)');
  });

  it('admin delete-tenant refuses without --confirm and with another id: nothing deleted', async () => {
    const first = await admin('delete-tenant', a.tenantId, '--reason', 'contract ended');
    assert.equal(first.code, 2);
    assert.match(first.stderr, new RegExp(`needs a second step: nothing was deleted\\nhint: repeat with --confirm ${a.tenantId}`));
    const wrong = await admin('delete-tenant', a.tenantId, '--reason', 'contract ended', '--confirm', 'someone-else');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Confirmation Mismatch/);
    assert.doesNotMatch((await admin('tenant', a.tenantId)).stdout, /deleted/);
  });
});

/**
 * Consistent snapshots on real loop devices (issue 13): reflink copies of a disk image on XFS,
 * fsfreeze of ext4 for the whole read (bounded by its timeout), pre/post hooks in the right
 * order (a failing pre hook aborts cleanly), crash leftovers removed at the next run, and the
 * RP recording the method and freeze duration. LVM needs device-mapper: where
 * /dev/mapper/control is absent the LVM test says plainly that it cannot run and checks the
 * refusal this machine gives; it never fakes lvm2. Everything attached is detached.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { replicate, type ReplicateOptions } from '../../source/replicate.js';
import { restore } from '../../source/restore.js';
import { consistentReplicate } from '../../source/snapshot/consistent-replicate.js';
import { Leftovers } from '../../source/snapshot/leftovers.js';
import { takeLvm, takeReflink } from '../../source/snapshot/methods.js';
import { LoopFs, whyNoLoopDevices } from '../support/loop-device.js';
import { startCore, type TestCore } from '../support/in-process-core.js';
import { pairSource, sourceApi, type PairedSource } from '../support/paired-source.js';

const MiB = 1024 * 1024;
const random = (size: number, seed: number) => createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16)).update(Buffer.alloc(size));
const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean) : []);

describe('consistent snapshots on loop devices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drcore-snap-'));
  const why = whyNoLoopDevices(dir);
  let t: TestCore;
  let src: PairedSource;
  const fss: LoopFs[] = [];

  before(async () => {
    t = await startCore({ dir: join(dir, 'core') });
    src = await pairSource(t, join(dir, 'state'), 'snap-src');
  });
  after(async () => {
    const problems = fss.flatMap((f) => f.cleanup());
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(problems, [], 'everything detached');
  });

  const base = (machineId: string, volumes: { name: string; path: string }[], log: string[]): { o: ReplicateOptions; close: () => void } => {
    const { api, transport } = sourceApi(t, src);
    return { o: { api, stateDir: src.stateDir, machineId, volumes, parallel: 2, log: (l) => log.push(l) }, close: () => transport.close() };
  };

  it('reflink (XFS): pre hook, snapshot, post hook, then the read of the copy; writes after the snapshot are not in the RP', async (tc) => {
    assert.equal(why, undefined, `loop devices are needed: ${why}`);
    const xfs = new LoopFs(join(dir, 'xfs.img'), join(dir, 'xfs'));
    fss.push(xfs);
    xfs.create(320 * MiB, 'xfs');
    const vm = join(xfs.mountPoint, 'vm.img');
    const original = random(3 * 4 * MiB + 777, 21);
    writeFileSync(vm, original);
    const order = join(dir, 'order-reflink.txt');
    const snap = join(xfs.mountPoint, '.vm.img.drcore-snap-vm-1');
    // The post hook proves the snapshot exists when applications are released, then writes to the live image.
    const post = `test -e '${snap}' && echo post-with-snapshot >> '${order}'; dd if=/dev/urandom of='${vm}' bs=64K count=4 conv=notrunc status=none`;
    const log: string[] = [];
    const { o, close } = base('vm-1', [{ name: 'sda', path: vm }], log);
    try {
      const r = await consistentReplicate(o, { method: 'reflink', preHook: `echo pre >> '${order}'`, postHook: post }, async (ro) => {
        writeFileSync(order, `${readFileSync(order, 'utf8')}read ${ro.volumes[0]!.path}\n`);
        return replicate(ro);
      });
      assert.deepEqual(lines(order), ['pre', 'post-with-snapshot', `read ${snap}`]);
      assert.equal(existsSync(snap), false, 'the reflink copy is removed after the run');
      const rp = await o.api.recoveryPoint('vm-1', r.rpId);
      assert.equal(rp?.snapshot?.method, 'reflink');
      assert.ok(Number.isInteger(rp?.snapshot?.freezeMs) && rp!.snapshot!.freezeMs >= 0, 'the freeze duration is recorded');
      const out = await restore({ api: o.api, machineId: 'vm-1', rp: r.rpId, outDir: join(dir, 'out-reflink'), parallel: 2 });
      assert.ok(readFileSync(out.files[0]!.file).equals(original), 'the RP is the image as it was at the snapshot, not as the post hook changed it');
      tc.diagnostic(`reflink: frozen ${rp!.snapshot!.freezeMs} ms`);
    } finally { close(); }
  });

  it('a crash leaves a reflink copy: the next run removes it first', async () => {
    assert.equal(why, undefined, `loop devices are needed: ${why}`);
    const xfs = fss[0]!;
    const vm = join(xfs.mountPoint, 'vm.img');
    const leftovers = new Leftovers(join(src.stateDir, 'machines', 'vm-1'));
    const taken = await takeReflink([{ name: 'sda', path: vm }], 'vm-1', leftovers); // …and the process dies here
    assert.equal(existsSync(taken.volumes[0]!.path), true);
    const log: string[] = [];
    const { o, close } = base('vm-1', [{ name: 'sda', path: vm }], log);
    try {
      await consistentReplicate(o, { method: 'none' });
      assert.equal(existsSync(taken.volumes[0]!.path), false, 'removed');
      assert.ok(log.some((l) => /cleaned up the reflink copy .* left by an interrupted run/.test(l)), log.join('\n'));
      assert.deepEqual(leftovers.list(), []);
    } finally { close(); }
  });

  it('fsfreeze (ext4): frozen for the whole read, says so, thawed before the commit; the post hook after the thaw', async () => {
    assert.equal(why, undefined, `loop devices are needed: ${why}`);
    const ext4 = new LoopFs(join(dir, 'ext4.img'), join(dir, 'ext4'));
    fss.push(ext4);
    ext4.create(64 * MiB);
    writeFileSync(join(ext4.mountPoint, 'data.bin'), randomBytes(3 * MiB));
    const order = join(dir, 'order-freeze.txt');
    const log: string[] = [];
    const { o, close } = base('db-1', [{ name: 'sdb', path: ext4.dev }], log);
    try {
      const r = await consistentReplicate(o, { method: 'fsfreeze', mounts: { sdb: ext4.mountPoint }, preHook: `echo pre >> '${order}'`, postHook: `echo post >> '${order}'` }, async (ro) => {
        let frozen = false;
        try { execFileSync('fsfreeze', ['--freeze', ext4.mountPoint], { stdio: 'pipe' }); execFileSync('fsfreeze', ['--unfreeze', ext4.mountPoint]); } catch (e) { frozen = /busy/i.test(String((e as { stderr?: Buffer }).stderr)); }
        writeFileSync(order, `${readFileSync(order, 'utf8')}read frozen=${frozen}\n`);
        return replicate(ro);
      });
      assert.deepEqual(lines(order), ['pre', 'read frozen=true', 'post']);
      assert.ok(log.some((l) => /frozen for the whole read/.test(l)), 'it says it freezes for the whole read');
      writeFileSync(join(ext4.mountPoint, 'after.txt'), 'thawed'); // would hang if still frozen
      const rp = await o.api.recoveryPoint('db-1', r.rpId);
      assert.equal(rp?.snapshot?.method, 'fsfreeze');
      assert.ok(rp!.snapshot!.freezeMs > 0);
      execFileSync('umount', [ext4.mountPoint]);
      const out = await restore({ api: o.api, machineId: 'db-1', rp: r.rpId, outDir: join(dir, 'out-freeze'), parallel: 2 });
      const restored = out.files[0]!.file;
      execFileSync('e2fsck', ['-fn', restored], { stdio: 'pipe' }); // a clean filesystem: consistent
      execFileSync('mount', [ext4.dev, ext4.mountPoint]);
    } finally { close(); }
  });

  it('fsfreeze: a read that outlasts the freeze timeout is thawed at the timeout and not committed', async () => {
    assert.equal(why, undefined, `loop devices are needed: ${why}`);
    const ext4 = fss[1]!;
    const log: string[] = [];
    const { o, close } = base('db-2', [{ name: 'sdb', path: ext4.dev }], log);
    try {
      await assert.rejects(consistentReplicate(o, { method: 'fsfreeze', mounts: { sdb: ext4.mountPoint }, freezeTimeoutMs: 50 }, async (ro) => {
        await new Promise((r) => setTimeout(r, 300));
        return replicate(ro);
      }), /outlasted the freeze timeout.*not committed/);
      assert.ok(log.some((l) => /thawed; this RP will not be committed/.test(l)));
      writeFileSync(join(ext4.mountPoint, 'after2.txt'), 'thawed');
      assert.deepEqual(await o.api.recoveryPoints('db-2'), [], 'nothing committed');
    } finally { close(); }
  });

  it('a failing pre hook aborts the run cleanly: nothing read or sent, the post hook releases', async () => {
    const img = join(dir, 'plain.img');
    writeFileSync(img, random(4 * MiB, 22));
    const order = join(dir, 'order-fail.txt');
    const packsDir = join(t.dataDir, 'blobs', 'tenants', src.tenantId, 'packs');
    const before = existsSync(packsDir) ? readdirSync(packsDir).length : 0;
    const { o, close } = base('app-1', [{ name: 'sda', path: img }], []);
    let read = false;
    try {
      await assert.rejects(consistentReplicate(o, { method: 'reflink', preHook: `echo pre >> '${order}'; echo 'database lock refused' >&2; exit 3`, postHook: `echo post >> '${order}'` }, async (ro) => {
        read = true;
        return replicate(ro);
      }), /pre-snapshot hook exited with 3: database lock refused; the run is aborted: nothing was read or sent/);
      assert.deepEqual(lines(order), ['pre', 'post']);
      assert.equal(read, false);
      assert.equal(existsSync(packsDir) ? readdirSync(packsDir).length : 0, before, 'nothing uploaded');
      assert.equal(readdirSync(dir).some((f) => f.includes('drcore-snap')), false, 'no snapshot made');
    } finally { close(); }
  });

  it('LVM: built against lvm2 (lvcreate --snapshot, lvremove); runs only where device-mapper exists', async (tc) => {
    if (!existsSync('/dev/mapper/control')) {
      tc.diagnostic('CANNOT RUN the LVM snapshot path here: /dev/mapper/control is absent (no device-mapper on this machine). '
        + 'Only the refusal this machine gives is checked; lvcreate/lvremove were NOT exercised.');
      const leftovers = new Leftovers(join(src.stateDir, 'machines', 'lvm-1'));
      await assert.rejects(takeLvm([{ name: 'sda', path: '/dev/vg0/root' }], leftovers), /LVM snapshots need device-mapper: \/dev\/mapper\/control is absent/);
      assert.deepEqual(leftovers.list(), [], 'nothing recorded, nothing made');
      return;
    }
    // Device-mapper exists: a real volume group on a loop device.
    assert.equal(why, undefined, `loop devices are needed: ${why}`);
    const img = join(dir, 'pv.img');
    writeFileSync(img, '');
    execFileSync('truncate', ['-s', '256M', img]);
    const pv = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
    const vg = `drcoretest${process.pid}`;
    try {
      execFileSync('pvcreate', ['-q', pv]);
      execFileSync('vgcreate', ['-q', vg, pv]);
      execFileSync('lvcreate', ['-q', '-L', '64M', '-n', 'data', vg, '-y']);
      const lv = `/dev/${vg}/data`;
      const content = random(8 * MiB, 23);
      const fd = openSync(lv, 'r+');
      try { writeSync(fd, content, 0, content.length, 0); } finally { closeSync(fd); }
      const { o, close } = base('lvm-1', [{ name: 'sda', path: lv }], []);
      try {
        const r = await consistentReplicate(o, { method: 'lvm' });
        const rp = await o.api.recoveryPoint('lvm-1', r.rpId);
        assert.equal(rp?.snapshot?.method, 'lvm');
        const lvs = execFileSync('lvs', ['--noheadings', '-o', 'lv_name', vg], { encoding: 'utf8' });
        assert.doesNotMatch(lvs, /drcore-snap/, 'the snapshot LV is removed');
        const out = await restore({ api: o.api, machineId: 'lvm-1', rp: r.rpId, outDir: join(dir, 'out-lvm'), parallel: 2 });
        assert.ok(readFileSync(out.files[0]!.file).subarray(0, content.length).equals(content));
      } finally { close(); }
    } finally {
      try { execFileSync('vgremove', ['-q', '-f', vg]); } catch { /* reported below */ }
      execFileSync('losetup', ['-d', pv]);
    }
  });
});

/**
 * The pure parts of the bench report: payload against metadata in a pack
 * (bench/stored-bytes.ts), goal verdicts with by how much they are missed (bench/goals.ts),
 * and the printed report with and without restic (bench/report.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verdict, times, percent } from '../../bench/goals.js';
import { formatReport, goals, type Phase, type Report } from '../../bench/report.js';
import { classifyPack, emptyStoredBytes, withTotals } from '../../bench/stored-bytes.js';
import type { CounterSnapshot } from '../../shared/adapters/counting/request-counter.js';
import { encodeDeltaChunk, encodeFullChunk, encodeManifestChunk, encodePack } from '../../shared/format/index.js';

const MiB = 2 ** 20;

describe('stored bytes: payload and metadata', () => {
  it('a pack splits into FULL/DELTA payload, their chunk headers, manifest chunks, and the pack header and index', () => {
    const full = encodeFullChunk(Buffer.alloc(1000, 7), { compress: false }); // 12-byte header
    const delta = encodeDeltaChunk(1n, Buffer.alloc(500, 9), { compress: false }); // 20-byte header
    const manifest = encodeManifestChunk(Buffer.alloc(300, 1), { compress: false });
    const pack = encodePack([full, delta, manifest]).bytes;
    assert.deepEqual(classifyPack(pack), { payload: 1500, chunkHeaders: 32, manifests: 312, framing: 12 + 3 * 40 });
    assert.equal(pack.length, 1500 + 32 + 312 + 132);
  });

  it('metadata is everything stored but the payload', () => {
    const s = withTotals({ ...emptyStoredBytes(), payload: 1000, chunkHeaders: 1, manifests: 2, framing: 3, rpIndexes: 4, uploadRecords: 0, otherObjects: 5, events: 6, readModels: 7 });
    assert.equal(s.metadata, 28);
    assert.equal(s.total, 1028);
  });
});

describe('goal verdicts', () => {
  it('says MEETS, or MISSES with how far short (≥) or how many times over (≤)', () => {
    assert.equal(verdict({ label: 'speed', value: 3, op: '≥', target: 2.5, format: times }), 'speed: 3.00× (goal ≥ 2.50×) — MEETS');
    assert.equal(verdict({ label: 'speed', value: 1.5, op: '≥', target: 2.5, format: times }), 'speed: 1.50× (goal ≥ 2.50×) — MISSES: 40 % short');
    assert.equal(verdict({ label: 'meta', value: 0.05, op: '≤', target: 0.02, format: percent(1) }), 'meta: 5.0 % (goal ≤ 2.0 %) — MISSES: 2.50× the goal');
    assert.equal(verdict({ label: 'x', value: Number.NaN, op: '≤', target: 1, format: times }), 'x: NaN× (goal ≤ 1.00×) — NOT MEASURED');
  });
});

describe('bench report', () => {
  const counts: CounterSnapshot = {
    ports: { blobs: { put: { calls: 2, errors: 0, bytesIn: 8 * MiB, bytesOut: 0, items: 0, units: { s3Put: 2, s3Get: 2 } } } },
    byFunction: { 'replication-api': { blobs: { put: { calls: 2, errors: 0, bytesIn: 8 * MiB, bytesOut: 0, items: 0, units: { s3Put: 2, s3Get: 2 } } } } },
    functions: { 'replication-api': { invocations: 2, errors: 0, ms: 100, billedMs: 100 } },
    routes: { 'PUT /v1/machines/{machineId}/recovery-points/{rpId}/packs/{packId}': { invocations: 2, errors: 0, ms: 100, billedMs: 100 } },
  };
  const phase = (key: Phase['key'], seconds: number, wallSeconds: number, extra: Partial<Phase> = {}): Phase => ({
    key, name: key, seconds, wallSeconds, bytes: 1024 * MiB, bytesSent: 8 * MiB, addedBytes: 8 * MiB,
    serverPeakRss: 100 * MiB, clientPeakRss: 200 * MiB, serverCpuSeconds: 1, clientCpuSeconds: 1, counts, ...extra,
  });
  const restic = (seconds: number) => ({ seconds, repoBytes: 900 * MiB, addedBytes: 10 * MiB, clientPeakRss: MiB, clientCpuSeconds: 1, serverPeakRss: MiB, serverCpuSeconds: 1, identical: true });
  const base: Report = {
    size: 1024 * MiB, layout: { random: 640 * MiB, zero: 192 * MiB, compressible: 192 * MiB }, parallel: 4,
    ceiling: { mbPerSec: 500, bytes: 1024 * MiB, seconds: 2, serverPeakRss: MiB, serverCpuSeconds: 1 },
    phases: [
      phase('initial', 4, 4.5, { restic: restic(9) }),
      phase('inc64', 1, 1, { bytesChanged: 10 * MiB, bytesSent: 11 * MiB, restic: restic(1.5) }),
      phase('inc4', 1, 1, { bytesChanged: 10 * MiB, bytesSent: 40 * MiB, restic: restic(3) }),
      phase('restore', 2, 2, { restic: restic(5) }),
    ],
    storedBytes: 800 * MiB, blobBytes: 800 * MiB, identical: true,
    stored: withTotals({ ...emptyStoredBytes(), payload: 790 * MiB, rpIndexes: 10 * MiB, uploadRecords: 0, objects: 1000 }),
    signatureBytes: 256 * 1024, restic: { version: 'restic 0.14.0', transport: 'rclone serve restic, mutual TLS', repoBytes: 900 * MiB, cacheBytes: MiB },
  };

  it('judges every goal from the phases, restic included', () => {
    const byLabel = Object.fromEntries(goals(base).map((g) => [g.label, g]));
    assert.equal(byLabel["initial, speed as a multiple of restic's"]?.value, 2); // 9 s ÷ 4.5 s of wall time
    assert.equal(byLabel["incremental 1 % @ 64 KiB, speed as a multiple of restic's"]?.value, 1.5);
    assert.equal(byLabel["restore, speed as a multiple of restic's"]?.value, 2.5);
    assert.equal(byLabel['incremental 1 % @ 4 KiB, sent ÷ changed']?.value, 4);
    assert.ok(Math.abs(byLabel['metadata, of stored bytes']!.value - 10 / 800) < 1e-12);
    assert.ok(Math.abs(byLabel["stored, as a multiple of restic's repository"]!.value - 800 / 900) < 1e-12);
    // 2 API requests ($7e-6) + 2 × $0.2e-6 + 0.1 s × 1769/1024 GB × $0.0000133334 + 2 PUT ($1e-5) + 2 GET ($8e-7), per 2^30 bytes of volume
    const dollars = 7e-6 + 4e-7 + 0.1 * (1769 / 1024) * 0.0000133334 + 1e-5 + 8e-7;
    assert.ok(Math.abs(byLabel['modeled AWS cost of the base, per TB of volume']!.value - dollars / (2 ** 30 / 1e12)) < 1e-9);
  });

  it('prints the requests, the cost, restic side by side and the verdicts', () => {
    const text = formatReport(base);
    assert.match(text, /restic: restic 0\.14\.0 over rclone serve restic, mutual TLS, --compression auto/);
    assert.match(text, /^initial +4\.50 +9\.00 +2\.00 /m);
    assert.match(text, /^port blobs\.put +2 \(8\.0 MiB\)/m);
    assert.match(text, /^API PUT \/v1\/machines\/\{machineId\}\/recovery-points\/\{rpId\}\/packs\/\{packId\} +2 +2 +2 +2$/m);
    assert.match(text, /incremental 1 % @ 64 KiB, speed as a multiple of restic's: 1\.50× \(goal ≥ 2\.00×\) — MISSES: 25 % short/);
    assert.match(text, /initial, speed as a multiple of restic's: 2\.00× \(goal ≥ 2\.50×\) — MISSES: 20 % short/);
    assert.match(text, /source signature state, of the volume size: 0\.024 % \(goal ≤ 0\.250 %\) — MEETS/);
    assert.match(text, /restore byte-identical \(cmp\): drcore yes, restic yes/);
  });

  it('without restic: says why, reports drcore alone, and judges no speed goal against restic', () => {
    const alone: Report = { ...base, phases: base.phases.map(({ restic: _, ...p }) => p), restic: { why: 'restic is not installed (apt-get install -y restic rclone)' } };
    const text = formatReport(alone);
    assert.match(text, /restic: not run — restic is not installed \(apt-get install -y restic rclone\)\. drcore alone is reported\./);
    assert.doesNotMatch(text, /multiple of restic/);
    assert.match(text, /modeled AWS cost of the base, per TB of volume/);
  });
});

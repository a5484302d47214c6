import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isValidId } from '../../shared/ids.js';
import { identityFromCertificate } from '../../shared/pki/identity.js';
import { readPairing, stateDir } from '../../source/pairing-state.js';
import { MachineStateDir } from '../../source/replication-state.js';
import { exportSeed } from '../../source/seed-export.js';
import { SeedStateDir, type SeedRecord } from '../../source/seed-state.js';
import { parseVolumeSpec, type VolumeSpec } from '../../source/volume.js';
import { CliError, parseSize, UsageError } from '../args.js';
import { define, type Io } from '../command.js';
import { JSON_OUTPUT, SOURCE } from '../options.js';
import { table } from '../table.js';
import { parallelOf, sourceApi } from './connect.js';
import { humanBytes, ProgressBar } from './progress.js';

const ACTIONS = ['export', 'list', 'abandon'] as const;

function machineOf(text: string | undefined): string {
  if (!text) throw new UsageError('missing --machine ID');
  if (!isValidId(text)) throw new UsageError(`--machine must match [A-Za-z0-9._-]{1,64}, not ${text}`);
  return text;
}

function showSeeds(seeds: readonly SeedRecord[], io: Io): void {
  if (seeds.length === 0) { io.out('No seeds.'); return; }
  io.out(table([['SEED', 'STATUS', 'MACHINE', 'RECOVERY POINTS', 'FROM', 'TO', 'MEDIA', 'SIZE', 'WRITTEN TO'], ...seeds.map((s) => {
    const dates = s.rps.map((r) => r.createdAt).sort();
    return [s.seedId, s.status, s.machineId, s.rps.map((r) => `${r.rpId} (${r.kind})`).join(' '), dates[0] ?? '-', dates.at(-1) ?? '-', String(s.media ?? '-'), s.bytes !== undefined ? humanBytes(s.bytes) : '-', s.out];
  })]));
}

/** `drcore source seed export|list|abandon`: seeding over external media (docs/seeding.md). */
export const seedCommand = define({
  name: 'source seed', args: 'export|list|abandon [SEED]', required: ['ACTION'],
  summary: 'Seed the target from external media: export a recovery point to disk, list outstanding seeds, abandon one.',
  details: 'export writes a recovery point (a base, or an incremental when the target holds the last one) as encrypted seed files under --out, '
    + 'one folder per medium (medium-01, medium-02, …) of at most --max-size each; ship them, and the service provider imports them with '
    + 'drcore admin seed import. Killed at any point, the same command resumes. list shows the seeds and their status (outstanding until the '
    + 'target holds their RPs); abandon SEED drops an outstanding seed, so its data goes over the network with the next replicate.',
  options: {
    machine: { type: 'string', value: 'ID', description: 'The machine ([A-Za-z0-9._-]{1,64}); required for export and abandon' },
    volume: { type: 'string', value: 'NAME=PATH', description: 'export: a volume, its name and the image or device to read', multiple: true },
    out: { type: 'string', value: 'DIR', description: 'export: where the media folders go (a mounted disk, or a folder to copy onto them)' },
    'max-size': { type: 'string', value: 'SIZE', description: 'export: the size of one medium (e.g. 4T, 900G); the seed spans as many as it needs', default: '1P' },
    rp: { type: 'string', value: 'RPID|latest', description: 'export: the recovery point to seed — the reference source keeps no local copies, so it is always a new one taken now ("latest")', default: 'latest' },
    threads: { type: 'string', value: 'N', description: 'export: worker threads for hashing and compression, 1..64' },
    ...SOURCE, ...JSON_OUTPUT,
  },
  run: async ({ values, positionals }, io) => {
    const action = positionals[0] as (typeof ACTIONS)[number];
    if (!ACTIONS.includes(action)) throw new UsageError(`the action is export, list or abandon, not ${positionals[0]}`);
    if (action === 'list') return listSeeds(values, io);
    if (action === 'abandon') {
      const seedId = positionals[1];
      if (!seedId || !isValidId(seedId)) throw new UsageError('drcore source seed abandon SEED --machine ID: name the seed (drcore source seed list shows them)');
      return abandon(values, machineOf(values.machine), seedId, io);
    }
    const machineId = machineOf(values.machine);
    if (!values.volume?.length) throw new UsageError('missing --volume NAME=PATH');
    if (!values.out) throw new UsageError('missing --out DIR');
    if (values.rp !== 'latest') throw new UsageError('--rp: the reference source core keeps no local copy of older recovery points; it seeds a new one (--rp latest)');
    let volumes: VolumeSpec[];
    try { volumes = values.volume.map(parseVolumeSpec); } catch (e) { throw new UsageError((e as Error).message); }
    let maxSize: number;
    try { maxSize = parseSize(values['max-size']); } catch (e) { throw new UsageError(`--max-size: ${(e as Error).message}`); }
    const threads = values.threads === undefined ? undefined : parallelOf(values.threads);
    const { api, client, dir } = sourceApi(values, 1);
    const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const tenantId = identityFromCertificate(certificatePem).tenantId;
    if (!tenantId) throw new CliError('this source core\'s certificate names no tenant', 'pair it first: drcore source pair');
    const identity = {
      tenantId, certificatePem, privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      target: values.target ?? readPairing(dir)?.target ?? '',
    };
    const bar = new ProgressBar(process.stderr);
    try {
      const r = await exportSeed({
        recoveryPoint: (m, rp) => api.recoveryPoint(m, rp), stateDir: dir, machineId, volumes, out: resolve(values.out), maxSize, identity,
        ...(threads ? { threads } : {}),
        log: (line) => { bar.done(); io.err(line); },
        progress: (p) => bar.update({ label: `${machineId} → seed`, done: p.done, total: p.total, note: `written ${humanBytes(p.written)}` }),
      });
      bar.done();
      if (values.json) io.out(JSON.stringify(r));
      else {
        io.out(`Exported seed ${r.seedId} of ${machineId}: ${r.kind} recovery point ${r.rpId}${r.parentRpId ? ` (on ${r.parentRpId})` : ''}`);
        io.out(`  ${r.files} files, ${humanBytes(r.bytes)} on ${r.media} medium/media under ${r.out} (medium-01 …), encrypted to the target's key`);
        io.out(`  ship them; the service provider imports them with: drcore admin seed import --tenant ${tenantId} --from <the folder in its seed inbox>`);
        io.out('  meanwhile drcore source replicate stores new recovery points on the target; they are committed once the seed is imported');
      }
      return 0;
    } catch (err) {
      if (err instanceof Error && /^(the export|a replication|seed |the volumes|the data key|--max-size)/.test(err.message)) throw new CliError(err.message);
      throw err;
    } finally {
      bar.done();
      client.close();
    }
  },
});

async function listSeeds(values: { state?: string | undefined; target?: string | undefined; machine?: string | undefined; json?: boolean | undefined }, io: Io): Promise<number> {
  // The records are local: listing works offline; the target is asked only whether outstanding seeds got imported.
  let connected: ReturnType<typeof sourceApi> | undefined;
  try { connected = sourceApi(values, 1); } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.err(`${err.message}: showing what this source core knows`);
  }
  const api = connected?.api;
  const dir = connected?.dir ?? stateDir(values.state);
  try {
    const machines = values.machine ? [machineOf(values.machine)] : machinesIn(dir);
    const all: SeedRecord[] = [];
    for (const m of machines) {
      const seeds = new SeedStateDir(new MachineStateDir(dir, m));
      for (const s of seeds.seeds()) {
        // An outstanding seed whose RPs the target holds now was imported: it is consumed.
        if (s.status === 'outstanding' && api) {
          try {
            const there = await Promise.all(s.rps.map((r) => api.recoveryPoint(m, r.rpId)));
            if (there.every((x) => x !== undefined)) { all.push(seeds.update(s.seedId, { status: 'consumed', consumedAt: new Date().toISOString() }) ?? s); continue; }
          } catch (err) {
            io.err(`could not ask the target about seed ${s.seedId} (${(err as Error).message}): showing what this source core knows`);
          }
        }
        all.push(s);
      }
    }
    if (values.json) io.out(JSON.stringify({ seeds: all }));
    else showSeeds(all, io);
    return 0;
  } finally { connected?.client.close(); }
}

function machinesIn(dir: string): string[] {
  const machines = join(dir, 'machines');
  return existsSync(machines) ? readdirSync(machines).filter(isValidId).sort() : [];
}

function abandon(values: { state?: string | undefined; json?: boolean | undefined }, machineId: string, seedId: string, io: Io): number {
  const machine = new MachineStateDir(stateDir(values.state), machineId);
  const seeds = new SeedStateDir(machine);
  const seed = seeds.seeds().find((s) => s.seedId === seedId);
  if (!seed) throw new CliError(`machine ${machineId} has no seed ${seedId}`, 'drcore source seed list shows the seeds');
  if (seed.status === 'consumed') throw new CliError(`seed ${seedId} is consumed: its recovery points are on the target already`);
  const rps = new Set(seed.rps.map((r) => r.rpId));
  // Its RPs go over the network instead: a run waiting for it, and a last state that is the seeded RP, are dropped.
  const run = machine.run();
  if (run && ((run.parentRpId && rps.has(run.parentRpId)) || seeds.plan()?.seedId === seedId)) machine.clearRun();
  const state = machine.state();
  if (state && rps.has(state.lastRpId)) machine.forgetState();
  if (seeds.plan()?.seedId === seedId) seeds.clearPlan(seedId);
  seeds.update(seedId, { status: 'abandoned', abandonedAt: new Date().toISOString() });
  if (values.json) io.out(JSON.stringify({ seedId, status: 'abandoned' }));
  else io.out(`Abandoned seed ${seedId} of ${machineId}: the next drcore source replicate sends its data over the network (its media under ${seed.out} can be wiped)`);
  return 0;
}

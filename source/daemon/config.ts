/**
 * The source daemon's configuration (`drcore source run --config FILE`, or the same from flags):
 * the machines to replicate, each with its volumes and its schedule; how many machines run at
 * once; the upload parallelism. JSON, validated before anything starts; a bad file is refused
 * with what is wrong and where.
 *
 *   { "maxConcurrentMachines": 2, "parallel": 4,
 *     "machines": [ { "id": "web-1", "volumes": { "sda": "/dev/vg0/web" },
 *                     "schedule": { "every": "15m", "at": ["02:00"], "windows": ["mon-fri 06:00-22:00"] } } ] }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isValidId } from '../../shared/ids.js';
import { parseSchedule, type Schedule } from './schedule.js';
import { SNAPSHOT_METHODS } from '../../shared/domain/recovery-point.js';
import type { ConsistencyOptions } from '../snapshot/consistent-replicate.js';
import { parseBandwidth, type BandwidthLimit } from '../bandwidth/bandwidth-limit.js';

const id = z.string().refine(isValidId, 'must match [A-Za-z0-9._-]{1,64}');

const MachineSpec = z.object({
  id,
  name: z.string().min(1).max(128).optional(),
  volumes: z.record(id, z.string().min(1)).refine((v) => Object.keys(v).length > 0, 'a machine needs at least one volume'),
  schedule: z.object({ every: z.string().optional(), at: z.array(z.string()).optional(), windows: z.array(z.string()).optional() }).strict(),
  snapshot: z.object({
    method: z.enum(SNAPSHOT_METHODS), preHook: z.string().min(1).optional(), postHook: z.string().min(1).optional(),
    mounts: z.record(id, z.string().min(1)).optional(), freezeTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
  }).strict().optional(),
}).strict();

export const DaemonConfigFile = z.object({
  maxConcurrentMachines: z.number().int().min(1).max(64).optional(),
  parallel: z.number().int().min(1).max(64).optional(),
  threads: z.number().int().min(1).max(64).optional(),
  machines: z.array(MachineSpec).min(1),
  /** The source's upload limit: `limit` (default unlimited) and WINDOW=RATE entries. */
  bandwidth: z.object({ limit: z.string().optional(), windows: z.array(z.string()).optional() }).strict().optional(),
}).strict();
export type DaemonConfigFile = z.infer<typeof DaemonConfigFile>;

export interface MachineConfig {
  readonly id: string; readonly name?: string; readonly volumes: { name: string; path: string }[]; readonly schedule: Schedule;
  readonly consistency: ConsistencyOptions;
}
export interface DaemonConfig {
  readonly maxConcurrentMachines: number;
  readonly parallel: number;
  readonly threads?: number;
  readonly machines: readonly MachineConfig[];
  readonly bandwidth: BandwidthLimit;
}

/** The checked configuration, or an Error saying what is wrong (with its path in the file). */
export function checkConfig(input: unknown): DaemonConfig {
  const parsed = DaemonConfigFile.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new Error(`${first.path.join('.') || 'the configuration'}: ${first.message}`);
  }
  const c = parsed.data;
  const ids = new Set<string>();
  const machines = c.machines.map((m, i) => {
    if (ids.has(m.id)) throw new Error(`machines.${i}.id: machine ${m.id} appears twice`);
    ids.add(m.id);
    let schedule: Schedule;
    try { schedule = parseSchedule(m.schedule); } catch (e) { throw new Error(`machines.${i}.schedule: ${(e as Error).message}`); }
    const s = m.snapshot;
    const consistency: ConsistencyOptions = {
      method: s?.method ?? 'none', ...(s?.preHook ? { preHook: s.preHook } : {}), ...(s?.postHook ? { postHook: s.postHook } : {}),
      ...(s?.mounts ? { mounts: s.mounts } : {}), ...(s?.freezeTimeoutSeconds ? { freezeTimeoutMs: s.freezeTimeoutSeconds * 1000 } : {}),
    };
    return { id: m.id, ...(m.name ? { name: m.name } : {}), volumes: Object.entries(m.volumes).map(([name, path]) => ({ name, path })), schedule, consistency };
  });
  let bandwidth: BandwidthLimit;
  try { bandwidth = parseBandwidth(c.bandwidth?.limit, c.bandwidth?.windows ?? []); } catch (e) { throw new Error(`bandwidth: ${(e as Error).message}`); }
  return { bandwidth, maxConcurrentMachines: c.maxConcurrentMachines ?? 1, parallel: c.parallel ?? 4, ...(c.threads ? { threads: c.threads } : {}), machines };
}

export function readConfig(file: string): DaemonConfig {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new Error(`cannot read ${file}: ${(e as Error).message}`); }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new Error(`${file} is not JSON: ${(e as Error).message}`); }
  try { return checkConfig(json); } catch (e) { throw new Error(`${file}: ${(e as Error).message}`); }
}

/** The bandwidth options of `drcore source replicate` and `run` (source/bandwidth/). */
import { parseBandwidth, type BandwidthLimit } from '../../source/bandwidth/bandwidth-limit.js';
import { UsageError } from '../args.js';

export const BANDWIDTH_OPTIONS = {
  bandwidth: { type: 'string', value: 'RATE', description: 'Upload limit: 20Mbit, 100Mbps, 5MiB (per second) or unlimited (default); the target may ask for less' },
  'bandwidth-window': { type: 'string', value: 'WINDOW=RATE', description: 'A limit inside a window, e.g. "mon-fri 08:00-18:00=20Mbit" (repeatable)', multiple: true },
} as const;

export function bandwidthOf(values: { bandwidth?: string | undefined; 'bandwidth-window'?: string[] | undefined }): BandwidthLimit {
  try { return parseBandwidth(values.bandwidth, values['bandwidth-window'] ?? []); } catch (e) { throw new UsageError((e as Error).message); }
}

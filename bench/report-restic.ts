/**
 * The bench report's side-by-side part: drcore and restic on the same image and mutations,
 * per phase: wall seconds of each tool's process (start to exit, both), drcore's speed as a
 * multiple of restic's, bytes each added to its store, peak RSS of each side.
 */
import { formatBytes } from '../cli/args.js';
import type { ResticRun, ResticTransport } from './restic.js';
import { table } from './table.js';

export interface SidePhase {
  label: string;
  drcoreSeconds: number;
  drcoreAdded: number;
  drcoreClientRss: number;
  drcoreServerRss: number;
  restic?: ResticRun;
}

export interface ResticInfo {
  version?: string;
  transport?: ResticTransport;
  /** Why restic did not run (then only drcore is reported). */
  why?: string;
}

/** drcore's speed as a multiple of restic's (same bytes, so restic's seconds over drcore's). */
export const speedRatio = (p: SidePhase): number => (p.restic ? p.restic.seconds / p.drcoreSeconds : Number.NaN);

export function sideBySideLines(info: ResticInfo, phases: readonly SidePhase[]): string[] {
  if (info.why !== undefined) return [`restic: not run — ${info.why}. drcore alone is reported.`];
  const rows = [['drcore vs restic', 'drcore s', 'restic s', 'speed ×', 'drcore added', 'restic added', 'drcore RSS src/srv', 'restic RSS src/srv']];
  for (const p of phases) {
    const r = p.restic;
    rows.push([
      p.label, p.drcoreSeconds.toFixed(2), r ? r.seconds.toFixed(2) : '-', r ? speedRatio(p).toFixed(2) : '-',
      formatBytes(p.drcoreAdded), r ? formatBytes(r.addedBytes) : '-',
      `${formatBytes(p.drcoreClientRss)}/${formatBytes(p.drcoreServerRss)}`,
      r ? `${formatBytes(r.clientPeakRss)}/${r.serverPeakRss ? formatBytes(r.serverPeakRss) : '-'}` : '-',
    ]);
  }
  const tls = info.transport === 'rclone serve restic, mutual TLS'
    ? ['  (the core\'s server certificate and CA; restic\'s client certificate issued by the core\'s CA with openssl, because Go 1.19\'s x509 cannot parse drcore\'s identity extension OID)']
    : [];
  return [
    `restic: ${info.version ?? '?'} over ${info.transport ?? '?'}, --compression auto; seconds are each process's wall time, start to exit`,
    ...tls,
    table(rows),
  ];
}

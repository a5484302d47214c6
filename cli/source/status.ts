import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VerifyStatusAnswer } from '../../source/api.js';
import { followPairing } from '../../source/pairing.js';
import { readPairing, stateDir } from '../../source/pairing-state.js';
import { CliError } from '../args.js';
import { define, type Io } from '../command.js';
import { JSON_OUTPUT, SOURCE } from '../options.js';
import { table } from '../table.js';
import { sourceApi } from './connect.js';
import { printer, STATE, summary } from './pair.js';
import { daemonView, showDaemon } from './daemon-status.js';

/** Per machine, its RPs' verify states, and the damaged chunks with the RPs they break. */
function showVerification(v: VerifyStatusAnswer, out: Io['out']): void {
  if (v.machines.length === 0) { out('No machine replicated yet.'); return; }
  for (const m of v.machines) {
    out(`Machine ${m.machineId}${m.name !== m.machineId ? ` (${m.name})` : ''}:`);
    if (m.recoveryPoints.length === 0) { out('  no recovery point yet'); continue; }
    out(table([['  RP', 'KIND', 'COMMITTED', 'VERIFIED', 'RESULT', 'RESTORES'], ...m.recoveryPoints.map((r) => [
      `  ${r.rpId}`, r.kind, r.committedAt, r.verification?.lastVerifiedAt ?? 'not yet',
      r.verification ? `${r.verification.result}${r.verification.badChunkCount ? ` (${r.verification.badChunkCount} bad chunk(s))` : ''}` : '-',
      r.brokenBy.length ? `NO: ${r.brokenBy.length} damaged chunk(s)` : 'yes',
    ])]));
  }
  if (v.damagedChunks.length) {
    out('Damaged chunks (the next replication of the machine re-sends their extents, which heals them):');
    for (const d of v.damagedChunks) out(`  ${d.chunk}  ${d.problem}  since ${d.detectedAt}  breaks ${d.rps.join(', ') || '(found by a read)'}`);
  }
}

export const status = define({
  name: 'source status',
  summary: "Show the pairing request's status (stores the certificate once approved); once paired, each machine's recovery points with their verify states and damaged chunks; the daemon's machines (state, last RP, lag, next run).",
  options: {
    wait: { type: 'boolean', description: 'Wait until approved (with the certificate), rejected, ignored or failed' },
    target: SOURCE.target,
    ...STATE, ...JSON_OUTPUT,
  },
  run: async ({ values }, io) => {
    const out = values.json ? io.err : io.out;
    const dir = stateDir(values.state);
    const state = readPairing(dir);
    if (!state) throw new CliError(`not paired: no pairing request in ${dir}`, 'drcore source pair … asks a target core to pair; or pass --state DIR');
    out(`Pairing request ${state.requestId} to ${state.target}`);
    const result = await followPairing(dir, state, printer(out), values.wait ?? false);
    const paired = existsSync(join(dir, 'cert.pem'));
    if (!values.json) out(`Status: ${result}${paired ? ' (certificate stored)' : ''}`);
    let verification: VerifyStatusAnswer | undefined;
    if (paired && result === 'approved') {
      const { api, client } = sourceApi(values, 1);
      try { verification = await api.verifyStatus(); } finally { client.close(); }
      if (!values.json) showVerification(verification, out);
    }
    const daemon = daemonView(dir);
    if (daemon && !values.json) showDaemon(daemon, out, process.stdout.isTTY === true);
    if (values.json) io.out(JSON.stringify({ ...summary(dir, readPairing(dir) ?? state, result), ...(verification ? { verification } : {}), ...(daemon ? { daemon } : {}) }));
    return 0;
  },
});

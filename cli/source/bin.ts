import { isValidId } from '../../shared/ids.js';
import { ReplicationApiError } from '../../source/client.js';
import { CliError, UsageError } from '../args.js';
import { define } from '../command.js';
import { JSON_OUTPUT, SOURCE } from '../options.js';
import { table } from '../table.js';
import { humanBytes } from './progress.js';
import { sourceApi } from './connect.js';

/** `drcore source bin list` | `drcore source bin restore RPID` */
export const binCommand = define({
  name: 'source bin', args: 'list | restore RPID', required: ['list|restore'],
  summary: "This tenant's recycle bin on the target: list it, or restore an RP from it (a normal RP again).",
  details: [
    "RPs the target's retention expired, or the service provider deleted, stay in the bin until their purge date:",
    'they restore as they are (drcore source restore --rp RPID), and `bin restore` takes one out for good (retention then keeps it).',
  ].join('\n'),
  options: { ...SOURCE, ...JSON_OUTPUT },
  run: async ({ values, positionals }, io) => {
    const [verb, rpId, ...rest] = positionals;
    if (rest.length) throw new UsageError(`unexpected ${rest.join(' ')}`);
    if (verb !== 'list' && verb !== 'restore') throw new UsageError(`source bin takes list or restore RPID, not ${verb}`);
    if (verb === 'list' && rpId !== undefined) throw new UsageError('source bin list takes no RP id');
    if (verb === 'restore' && (rpId === undefined || !isValidId(rpId))) throw new UsageError(`source bin restore takes an RP id ([A-Za-z0-9._-]{1,64})${rpId ? `, not ${rpId}` : ''}`);
    const { api, client } = sourceApi(values, 1);
    try {
      if (verb === 'list') {
        const items = await api.recycleBin();
        if (values.json) { io.out(JSON.stringify({ items })); return 0; }
        if (!items.length) { io.out('The recycle bin is empty.'); return 0; }
        io.out(table([['RP', 'MACHINE', 'KIND', 'COMMITTED', 'SIZE', 'WHY', 'PURGED AFTER'], ...items.map((b) => [
          b.rpId, b.machineId, b.kind, b.committedAt, humanBytes(b.volumes.reduce((n, v) => n + v.sizeBytes, 0)),
          b.bin.reason === 'deleted' ? 'deleted by the provider' : 'retention', b.bin.purgeAfter,
        ])]));
        return 0;
      }
      const rp = await api.restoreFromBin(rpId as string).catch((e: unknown) => {
        if (e instanceof ReplicationApiError && e.status === 410) throw new CliError(e.message, 'its time in the recycle bin is over: it cannot come back', { cause: e });
        if (e instanceof ReplicationApiError && (e.status === 404 || e.status === 409)) throw new CliError(e.message, 'drcore source bin list shows what is in the bin', { cause: e });
        throw e;
      });
      if (values.json) io.out(JSON.stringify(rp));
      else io.out(`Restored ${rp.rpId} (machine ${rp.machineId}) from the recycle bin: a normal recovery point again, kept by retention.`);
      return 0;
    } finally { client.close(); }
  },
});

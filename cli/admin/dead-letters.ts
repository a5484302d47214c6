import type { ProjectionDeadLetter } from '../../shared/app/projections/projection-dead-letters.js';
import { define } from '../command.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { withAdmin } from './connect.js';

export const deadLetters = define({
  name: 'admin dead-letters',
  summary: 'List the events the projector gave up on after its retries, with their error.',
  details: 'A dead-lettered event is still in the event log; only a read model missed it. Fix the cause, then rebuild the projections.',
  options: { ...ADMIN },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const { items } = await api.json<{ items: ProjectionDeadLetter[] }>('GET', '/v1/admin/projection-dead-letters');
    if (values.json) io.out(JSON.stringify(items));
    else if (items.length === 0) io.out('no projection dead letters');
    else {
      io.out(table([['POSITION', 'STREAM', 'VERSION', 'TYPE', 'ATTEMPTS', 'DEAD-LETTERED', 'ERROR'],
        ...items.map((d) => [d.position, d.streamId, String(d.version), d.type, String(d.attempts), d.deadLetteredAt, d.error])]));
    }
    return 0;
  }),
});

import type { PositionedEvent } from '../../shared/events/envelope.js';
import { define } from '../command.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { withAdmin } from './connect.js';

export const events = define({
  name: 'admin events',
  summary: 'Show the event log, oldest first (all streams, or one).',
  options: {
    stream: { type: 'string', value: 'ID', description: 'Only this stream (e.g. tenant-t-…, pairing-pr-…)' },
    after: { type: 'string', value: 'CURSOR', description: 'Start after this log position (or stream version with --stream)' },
    limit: { type: 'string', value: 'N', description: 'At most N events, 1..1000', default: '200' },
    ...ADMIN,
  },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const q = new URLSearchParams({ limit: values.limit, ...(values.stream ? { stream: values.stream } : {}), ...(values.after ? { after: values.after } : {}) });
    const { items } = await api.json<{ items: PositionedEvent[] }>('GET', `/v1/admin/events?${q}`);
    if (values.json) io.out(JSON.stringify(items));
    else io.out(table([['POSITION', 'AT', 'STREAM', 'VERSION', 'TYPE', 'ACTOR'], ...items.map((e) => [e.position ?? '', e.at, e.streamId, String(e.version), e.type, e.actor])]));
    return 0;
  }),
});

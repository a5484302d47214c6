import { enc, getJson } from '../api.js';
import type { EventPage, LogVerification, StoredEvent } from '../types.js';

/** At most this many pages of 1000 events are read for the charts and the jobs (the log can be long). */
export const MAX_LOG_PAGES = 20;

/** The whole log from its start (up to MAX_LOG_PAGES pages); `capped` when there was more. */
export async function readLog(maxPages = MAX_LOG_PAGES): Promise<{ events: StoredEvent[]; capped: boolean }> {
  const events: StoredEvent[] = [];
  let after: string | null | undefined;
  for (let page = 0; page < maxPages; page++) {
    const p = await getJson<EventPage>(`/v1/admin/events?limit=1000${after ? `&after=${enc(after)}` : ''}`);
    events.push(...p.items);
    if (!p.next || p.items.length < 1000) return { events, capped: false };
    after = p.next;
  }
  return { events, capped: true };
}

/** One page of the log after `after`, or one stream from its version `after`. */
export function eventsPage(q: { stream?: string; after?: string; limit?: number }): Promise<EventPage> {
  const params = new URLSearchParams();
  if (q.stream) params.set('stream', q.stream);
  if (q.after) params.set('after', q.after);
  params.set('limit', String(q.limit ?? 200));
  return getJson<EventPage>(`/v1/admin/events?${params.toString()}`);
}

/** Every stream's hash chain checked by the core (GET /v1/admin/log-verification). */
export const verifyChains = () => getJson<LogVerification>('/v1/admin/log-verification');

/** Per UTC day: RPs committed and the bytes they added (RecoveryPointCommitted events). */
export function ingestByDay(events: readonly StoredEvent[]): Array<{ day: string; rps: number; bytes: number }> {
  const days = new Map<string, { rps: number; bytes: number }>();
  for (const e of events) {
    if (e.type !== 'RecoveryPointCommitted') continue;
    const d = e.at.slice(0, 10);
    const data = e.data as { addedBytes?: number };
    const v = days.get(d) ?? { rps: 0, bytes: 0 };
    v.rps++;
    v.bytes += typeof data.addedBytes === 'number' ? data.addedBytes : 0;
    days.set(d, v);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, v]) => ({ day, ...v }));
}

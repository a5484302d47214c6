import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../components/status.js';
import { eventsPage, verifyChains } from '../data/events.js';
import { when } from '../format.js';
import type { LogVerification, StoredEvent } from '../types.js';

const FOLLOW_MS = 2000;
const key = (e: StoredEvent) => `${e.streamId}/${e.version}`;

/** `older` then the events of `newer` it does not hold yet (a re-read last page repeats some). */
function merge(older: StoredEvent[], newer: StoredEvent[]): StoredEvent[] {
  const seen = new Set(older.map(key));
  return [...older, ...newer.filter((e) => !seen.has(key(e)))];
}

/** The event log: filter by stream (server side) and type, follow live, and the hash-chain check. */
export function EventsPage() {
  const [stream, setStream] = useState('');
  const [type, setType] = useState('');
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [follow, setFollow] = useState(false);
  const [error, setError] = useState<Error>();
  const [check, setCheck] = useState<LogVerification>();
  const [checking, setChecking] = useState(false);
  const [query, setQuery] = useState({ stream: '' });

  async function load(reset: boolean) {
    try {
      setError(undefined);
      if (query.stream) {
        const from = reset ? 0 : events.length;
        const page = await eventsPage({ stream: query.stream, after: String(from), limit: 1000 });
        setEvents(reset ? page.items : merge(events, page.items));
      } else {
        // The whole log, page by page from its start, up to the newest events.
        let after = reset ? undefined : cursor;
        let all = reset ? [] : events;
        for (let i = 0; i < 50; i++) {
          const page = await eventsPage({ ...(after ? { after } : {}), limit: 1000 });
          all = merge(all, page.items);
          if (page.next) after = page.next;
          if (!page.next || page.items.length === 0) break;
        }
        setEvents(all);
        setCursor(after);
      }
    } catch (e) { setError(e as Error); }
  }
  useEffect(() => { void load(true); }, [query]);
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => { void load(false); }, FOLLOW_MS);
    return () => clearInterval(timer);
  }, [follow, events, cursor, query]);

  async function runCheck() {
    setChecking(true);
    try { setCheck(await verifyChains()); setError(undefined); } catch (e) { setError(e as Error); } finally { setChecking(false); }
  }

  const shown = events.filter((e) => !type || e.type === type).slice(-500).reverse();
  const types = [...new Set(events.map((e) => e.type))].sort();
  return (
    <section aria-labelledby="events-h">
      <h1 id="events-h">Event log</h1>
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); setQuery({ stream: stream.trim() }); }}>
        <label for="ev-stream">Stream</label>
        <input id="ev-stream" name="stream" placeholder="tenant:t-1 (all streams when empty)" value={stream} onInput={(e) => setStream((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit">Apply</button>
        <label for="ev-type">Type</label>
        <select id="ev-type" value={type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">all types</option>
          {types.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <label class="check"><input type="checkbox" checked={follow} onChange={(e) => setFollow((e.currentTarget as HTMLInputElement).checked)} /> Follow live</label>
        <button type="button" onClick={runCheck} disabled={checking} data-action="verify-chains">{checking ? 'Checking…' : 'Verify hash chains'}</button>
      </form>
      <ErrorBox error={error} what="read the event log" />
      {check && (
        <div class={check.ok ? 'ok-box' : 'error'} role="status" data-testid="chain-result">
          {check.ok
            ? <>Hash chains intact: {check.events} events in {check.streams} streams verified.</>
            : <>Hash chain broken{check.firstBreak ? <>: <code>{check.firstBreak.streamId}</code> v{check.firstBreak.version} — {check.firstBreak.reason}</> : ''} ({check.events} events read).</>}
        </div>
      )}
      <p class="muted" aria-live="polite">{shown.length} of {events.length} events shown (newest first{follow ? ', following' : ''}).</p>
      <table class="events">
        <thead><tr><th scope="col">Position</th><th scope="col">When</th><th scope="col">Stream</th><th scope="col">v</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Data</th><th scope="col">Hash</th></tr></thead>
        <tbody>{shown.map((e) => (
          <tr key={`${e.streamId}/${e.version}`}>
            <td>{e.position ?? ''}</td><td>{when(e.at)}</td>
            <td><button type="button" class="link" onClick={() => { setStream(e.streamId); setQuery({ stream: e.streamId }); }}>{e.streamId}</button></td>
            <td>{e.version}</td><td>{e.type}</td><td>{e.actor}</td><td><code class="wrap">{JSON.stringify(e.data).slice(0, 200)}</code></td><td><code>{e.hash.slice(0, 12)}</code></td>
          </tr>))}</tbody>
      </table>
    </section>
  );
}

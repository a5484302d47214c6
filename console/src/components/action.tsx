import { useRef, useState } from 'preact/hooks';
import { getJson, enc } from '../api.js';
import type { EventPage, StoredEvent } from '../types.js';
import { when } from '../format.js';

export interface Field {
  name: string; label: string; type?: 'text' | 'number' | 'textarea'; required?: boolean; value?: string; hint?: string; min?: number; step?: string;
}

/**
 * A state-changing action: a button that opens a confirmation dialog (with the fields it needs),
 * runs the command, and shows its result and the event it appended to `stream`.
 */
export function Action({ label, title, confirm, fields = [], run, stream, danger, onDone, id }: {
  label: string; title: string; confirm: string; fields?: Field[];
  run: (values: Record<string, string>) => Promise<unknown>;
  /** The stream the command appends to: its last event is shown as the result. */
  stream: string; danger?: boolean; onDone?: () => void; id?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<{ summary: string; event?: StoredEvent }>();
  const open = () => { setError(undefined); setResult(undefined); dialog.current?.showModal(); };
  const close = () => { dialog.current?.close(); if (result) onDone?.(); };

  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const values: Record<string, string> = {};
    for (const [k, v] of new FormData(form)) values[k] = String(v);
    setBusy(true);
    setError(undefined);
    try {
      // The stream's version before the command: the first event after it is the one the command
      // appended (a workflow reacting to it appends after it).
      const before = await getJson<EventPage>(`/v1/admin/events?stream=${enc(stream)}`);
      const version = before.items[before.items.length - 1]?.version ?? 0;
      const answer = await run(values);
      const after = await getJson<EventPage>(`/v1/admin/events?stream=${enc(stream)}&after=${version}&limit=1`);
      setResult({ summary: summarize(answer), event: after.items[0] });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const base = id ?? label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return (
    <>
      <button type="button" class={danger ? 'danger' : ''} onClick={open} data-action={base}>{label}</button>
      <dialog ref={dialog} aria-labelledby={`${base}-title`} onClose={() => { if (result) onDone?.(); }}>
        <h2 id={`${base}-title`}>{title}</h2>
        {!result && (
          <form method="dialog" onSubmit={submit}>
            <p>{confirm}</p>
            {fields.map((f) => (
              <div class="field" key={f.name}>
                <label for={`${base}-${f.name}`}>{f.label}</label>
                {f.type === 'textarea'
                  ? <textarea id={`${base}-${f.name}`} name={f.name} required={f.required} rows={3} defaultValue={f.value} />
                  : f.type === 'number'
                    ? <input id={`${base}-${f.name}`} name={f.name} type="number" required={f.required} defaultValue={f.value} min={f.min} step={f.step} />
                    : <input id={`${base}-${f.name}`} name={f.name} type="text" required={f.required} defaultValue={f.value} />}
                {f.hint && <small>{f.hint}</small>}
              </div>
            ))}
            {error && <div class="error" role="alert">{error}</div>}
            <div class="buttons">
              <button type="button" onClick={close}>Cancel</button>
              <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>{busy ? 'Working…' : `Confirm: ${label}`}</button>
            </div>
          </form>
        )}
        {result && (
          <div class="result" role="status">
            <p><strong>Done.</strong> {result.summary}</p>
            {!result.event && <p class="event-appended">No event was appended to <code>{stream}</code> (nothing changed).</p>}
            {result.event && (
              <p class="event-appended">Event appended: <code>{result.event.type}</code> on <code>{result.event.streamId}</code> v{result.event.version}, {when(result.event.at)}, by {result.event.actor}</p>
            )}
            <div class="buttons"><button type="button" class="primary" onClick={close}>Close</button></div>
          </div>
        )}
      </dialog>
    </>
  );
}

function summarize(answer: unknown): string {
  if (answer && typeof answer === 'object') {
    const a = answer as Record<string, unknown>;
    const parts = ['status', 'tenantId', 'machineId', 'quotaBytes', 'policy', 'reason', 'suspendedReason', 'serial', 'paused', 'pausedReason', 'rpoTargetSeconds', 'leaseEndsAt', 'bandwidthLimitBytesPerSecond', 'runId', 'deletedAt']
      .filter((k) => a[k] !== undefined).map((k) => `${k}: ${typeof a[k] === 'object' ? JSON.stringify(a[k]) : String(a[k])}`);
    if (parts.length) return parts.join(', ');
  }
  return 'The core accepted the command.';
}

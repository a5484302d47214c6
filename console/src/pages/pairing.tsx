import { useState } from 'preact/hooks';
import { Action, type Field } from '../components/action.js';
import { ErrorBox, Loading, Pill, type Tone } from '../components/status.js';
import { approve, ignore, KEEP_RULES, listPairing, reject, sourceView, type PairingFilter } from '../data/pairing.js';
import { when } from '../format.js';
import type { PairingRequest } from '../types.js';
import { useLoad } from '../use-load.js';

const TONE: Record<PairingRequest['status'], Tone> = { pending: 'warn', approved: 'ok', rejected: 'bad', ignored: 'off', failed: 'bad' };

const APPROVE_FIELDS: Field[] = [
  { name: 'quotaGiB', label: 'Quota (GiB)', type: 'number', required: true, value: '100', min: 0.001, step: 'any' },
  { name: 'customerId', label: 'Customer id (optional)' },
  ...KEEP_RULES.map((k) => ({ name: `keep-${k}`, label: `Keep ${k} (optional)`, type: 'number' as const, min: 0 })),
  { name: 'binDays', label: 'Recycle bin days (optional)', type: 'number', min: 1 },
  { name: 'rpoMinutes', label: 'RPO target in minutes (optional)', type: 'number', min: 1, step: 'any', hint: 'Its machines are measured against it: past it, they show red on the overview' },
  { name: 'lease', label: 'Lease ends (optional, YYYY-MM-DD or ISO time, UTC)', hint: 'After it the tenant\'s writes are refused, restores keep working' },
  { name: 'note', label: 'Note for the source (optional)', type: 'textarea' },
];

export function PairingPage() {
  const [filter, setFilter] = useState<PairingFilter>('pending');
  const list = useLoad(() => listPairing(filter), [filter]);
  return (
    <section aria-labelledby="pairing-h">
      <h1 id="pairing-h">Pairing requests</h1>
      <div class="toolbar">
        <label for="pairing-filter">Show</label>
        <select id="pairing-filter" value={filter} onChange={(e) => setFilter((e.currentTarget as HTMLSelectElement).value as PairingFilter)}>
          {(['pending', 'approved', 'rejected', 'ignored', 'failed', 'all'] as const).map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <button type="button" onClick={list.reload}>Refresh</button>
      </div>
      <ErrorBox error={list.error} what="list the pairing requests" />
      <Loading loading={list.loading && !list.data}>
        {list.data && list.data.length === 0 && <p class="muted">No {filter === 'all' ? '' : filter} pairing requests.</p>}
        {list.data?.map((r) => <Request key={r.id} r={r} onDone={list.reload} />)}
      </Loading>
    </section>
  );
}

function Request({ r, onDone }: { r: PairingRequest; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const stream = `pairing:${r.id}`;
  return (
    <article class="request" data-request={r.id} aria-labelledby={`req-${r.id}`}>
      <header>
        <h2 id={`req-${r.id}`}>{r.coreName} <Pill tone={TONE[r.status]}>{r.status}</Pill></h2>
        <span class="muted">{r.id}</span>
      </header>
      <dl class="facts">
        <dt>Contact</dt><dd>{r.email}</dd>
        <dt>Source core id</dt><dd><code>{r.coreId}</code></dd>
        {r.customerId && <><dt>Customer</dt><dd>{r.customerId}</dd></>}
        <dt>Requested</dt><dd>{when(r.requestedAt)}</dd>
        <dt>Message</dt><dd class="message">{r.message ?? '—'}</dd>
        {r.tenantId && <><dt>Tenant</dt><dd><a href={`#/tenants/${encodeURIComponent(r.tenantId)}`}>{r.tenantId}</a></dd></>}
        {r.reason && <><dt>Reason</dt><dd>{r.reason}</dd></>}
        {r.certificateFailure && <><dt>Certificate failure</dt><dd class="error-text">{r.certificateFailure.reason} ({r.certificateFailure.retryable ? 'retried' : 'permanent'}, {when(r.certificateFailure.at)})</dd></>}
        <dt>Acknowledged by source</dt><dd>{r.acknowledged ? 'yes' : 'no'}</dd>
      </dl>
      <div class="buttons">
        {r.status === 'pending' && (
          <>
            <Action id={`approve-${r.id}`} label="Approve" title={`Approve ${r.coreName}`} stream={stream} onDone={onDone}
              confirm={`Create a tenant for ${r.coreName} (${r.email}) and issue its certificate?`} fields={APPROVE_FIELDS}
              run={(v) => approve(r.id, v)} />
            <Action id={`reject-${r.id}`} label="Reject" title={`Reject ${r.coreName}`} stream={stream} onDone={onDone} danger
              confirm="The source core is told the reason below." fields={[{ name: 'reason', label: 'Reason (the source sees it)', type: 'textarea', required: true }]}
              run={(v) => reject(r.id, v['reason'] ?? '')} />
            <Action id={`ignore-${r.id}`} label="Ignore" title={`Ignore ${r.coreName}`} stream={stream} onDone={onDone}
              confirm="Ignore this request? The source is not told why." run={() => ignore(r.id)} />
          </>
        )}
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Hide' : 'Show'} the source's feedback</button>
      </div>
      {open && <Feedback id={r.id} />}
    </article>
  );
}

function Feedback({ id }: { id: string }) {
  const v = useLoad(() => sourceView(id), [id]);
  return (
    <div class="feedback" data-feedback={id}>
      <h3>What the source core sees</h3>
      <ErrorBox error={v.error} what="read the source's view" />
      {v.data && (
        <ol>{v.data.feedback.map((f, i) => <li key={i}><span class="muted">{when(f.at)}</span> {f.message}</li>)}</ol>
      )}
    </div>
  );
}

import { useState } from 'preact/hooks';
import { Action } from '../components/action.js';
import { Chart } from '../components/chart.js';
import { ErrorBox, Loading, NotAvailable, Pill } from '../components/status.js';
import { KEEP_RULES } from '../data/pairing.js';
import {
  changeQuota, changeRetention, deleteRp, download, recoveryPoints, recycleBin, resume, revoke, suspend, tenantDetail, usage, usageCsv,
} from '../data/tenants.js';
import { bytes, day, GIB, pct, when } from '../format.js';
import type { Machine, TenantDetail } from '../types.js';
import { useLoad } from '../use-load.js';
import { DeleteTenant, TenantGc, TenantReplication } from './tenant-replication.js';

const day0 = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;

export function TenantPage({ tenantId }: { tenantId: string }) {
  const detail = useLoad(() => tenantDetail(tenantId), [tenantId]);
  const use = useLoad(() => usage(tenantId), [tenantId]);
  const bin = useLoad(() => recycleBin(tenantId), [tenantId]);
  const t = detail.data;
  const reload = () => { detail.reload(); use.reload(); bin.reload(); };
  const stream = `tenant:${tenantId}`;
  const forecast = use.data?.tenants.find((x) => x.tenantId === tenantId);
  return (
    <section aria-labelledby="tenant-h">
      <p><a href="#/tenants">← Tenants</a></p>
      <ErrorBox error={detail.error} what={`load tenant ${tenantId}`} />
      <Loading loading={detail.loading && !t}>
        {t && (
          <>
            <h1 id="tenant-h">{t.name} <Pill tone={t.status === 'active' ? 'ok' : 'bad'}>{t.status}</Pill>{t.replicationPausedReason && <> <Pill tone="warn">replication paused</Pill></>}{t.deleted && <> <Pill tone="bad">deleted</Pill></>}</h1>
            <dl class="facts">
              <dt>Tenant id</dt><dd><code>{t.tenantId}</code></dd>
              <dt>Contact</dt><dd>{t.email}</dd>
              {t.customerId && <><dt>Customer</dt><dd>{t.customerId}</dd></>}
              <dt>Used</dt><dd>{bytes(t.usage.storedBytes)} of <span data-testid="tenant-quota">{bytes(t.quotaBytes)}</span> ({pct(t.usage.storedBytes, t.quotaBytes)})</dd>
              <dt>Recycle bin</dt><dd>{t.usage.binCount ?? 0} RPs, {bytes(t.usage.binBytes ?? 0)} (counted apart)</dd>
              <dt>Estimated full</dt><dd>{forecast?.estimatedFullAt ? day(forecast.estimatedFullAt) : 'not growing'}</dd>
              <dt>Verification</dt><dd>{t.verification.verified}/{t.verification.rps} RPs verified, {t.verification.damaged} damaged, {t.verification.broken} broken; last {when(t.verification.lastVerifiedAt)}</dd>
            </dl>
            <div class="buttons">
              {t.status === 'active'
                ? <Action id="suspend" label="Suspend" title={`Suspend ${t.name}`} stream={stream} onDone={reload} danger
                  confirm="Its source core's writes are refused (restores keep working)." fields={[{ name: 'reason', label: 'Reason (the source sees it)', type: 'textarea', required: true }]}
                  run={(v) => suspend(tenantId, v['reason'] ?? '')} />
                : <Action id="resume" label="Resume" title={`Resume ${t.name}`} stream={stream} onDone={reload}
                  confirm="Accept this tenant's replication again?" run={() => resume(tenantId)} />}
              <Action id="quota" label="Change quota" title={`Quota of ${t.name}`} stream={stream} onDone={reload}
                confirm="The new quota applies to the next upload." fields={[{ name: 'quotaGiB', label: 'Quota (GiB)', type: 'number', required: true, min: 0.001, step: 'any', value: String(+(t.quotaBytes / GIB).toFixed(2)) }]}
                run={(v) => changeQuota(tenantId, v['quotaGiB'] ?? '')} />
              <button type="button" data-action="export-tenant" onClick={() => use.data && download(`drcore-usage-${tenantId}.csv`, usageCsv(use.data, new Map([[tenantId, t.name]])))}>Export usage (CSV)</button>
            </div>

            <TenantReplication t={t} onDone={reload} />

            <h2>Usage</h2>
            <ErrorBox error={use.error} what="load the usage" />
            {use.data && (
              <Chart days={30} title={`Stored bytes per day, ${t.name} (last 30 days)`} x={use.data.days.map((d) => day0(d.day))} yFormat={bytes}
                series={[{ label: 'Stored', values: use.data.days.map((d) => d.storedBytes), color: '#1d5fbf' },
                  { label: 'Quota', values: use.data.days.map((d) => d.quotaBytes), color: '#b3261e' }]} />
            )}

            <h2>Machines</h2>
            {t.machines.length === 0 ? <p class="muted">No machine registered yet.</p> : t.machines.map((m) => <MachineRps key={m.machineId} tenantId={tenantId} m={m} onDone={reload} />)}

            <Retention t={t} onDone={reload} />

            <h2>Recycle bin</h2>
            <ErrorBox error={bin.error} what="load the recycle bin" />
            {bin.data && bin.data.length === 0 && <p class="muted">Empty.</p>}
            {bin.data && bin.data.length > 0 && (
              <table>
                <thead><tr><th scope="col">RP</th><th scope="col">Machine</th><th scope="col">Why</th><th scope="col">Binned</th><th scope="col">Purged after</th><th scope="col">Bytes</th></tr></thead>
                <tbody>{bin.data.map((b) => <tr key={b.rpId}><td><code>{b.rpId}</code></td><td>{b.machineId}</td><td>{b.bin.reason}</td><td>{when(b.bin.binnedAt)}</td><td>{when(b.bin.purgeAfter)}</td><td>{bytes(b.addedBytes)}</td></tr>)}</tbody>
              </table>
            )}
            <p class="muted">The source core restores RPs from its bin (<code>drcore source bin restore</code>).</p>

            <h2>Certificates</h2>
            <table>
              <thead><tr><th scope="col">Serial</th><th scope="col">Role</th><th scope="col">Subject</th><th scope="col">Valid until</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>{t.certificates.map((c) => (
                <tr key={c.serial}>
                  <td><code>{c.serial.slice(0, 16)}…</code></td><td>{c.role}</td><td>{c.subject}</td><td>{day(c.notAfter)}</td>
                  <td><Pill tone={c.status === 'valid' ? 'ok' : 'bad'}>{c.status}</Pill></td>
                  <td>{c.status === 'valid' && (
                    <Action id={`revoke-${c.serial.slice(0, 12)}`} label="Revoke" title="Revoke certificate" stream={`cert:${c.serial}`} onDone={reload} danger
                      confirm={`Revoke ${c.subject}? Its holder can no longer connect.`} fields={[{ name: 'reason', label: 'Reason', required: true }]}
                      run={(v) => revoke(tenantId, c.serial, v['reason'] ?? '')} />
                  )}</td>
                </tr>))}</tbody>
            </table>
            <NotAvailable what="Issuing a per-customer enrollment bundle from the console" />

            <TenantGc t={t} />
            <DeleteTenant t={t} onDone={reload} />
          </>
        )}
      </Loading>
    </section>
  );
}

function MachineRps({ tenantId, m, onDone }: { tenantId: string; m: Machine; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const rps = useLoad(() => (open ? recoveryPoints(tenantId, m.machineId) : Promise.resolve(undefined)), [open, tenantId, m.machineId]);
  return (
    <article class="machine" aria-labelledby={`m-${m.machineId}`}>
      <h3 id={`m-${m.machineId}`}>{m.name}{m.name !== m.machineId && <span class="muted"> {m.machineId}</span>}</h3>
      <p>{m.volumes.map((v) => `${v.name} (${bytes(v.sizeBytes)})`).join(', ')}; {m.rpCount} RPs, {bytes(m.storedBytes)} stored; latest {m.latestRp ? `${m.latestRp.kind} ${when(m.latestRp.committedAt)}` : '—'}</p>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Hide' : 'Show'} recovery points</button>
      <ErrorBox error={rps.error} what="list the recovery points" />
      {open && rps.data && (
        <table>
          <thead><tr><th scope="col">RP</th><th scope="col">Kind</th><th scope="col">Committed</th><th scope="col">Chunks</th><th scope="col">Added</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{rps.data.map((rp) => (
            <tr key={rp.rpId}>
              <td><code>{rp.rpId}</code></td><td>{rp.kind}</td><td>{when(rp.committedAt)}</td><td>{rp.chunkCount}</td><td>{bytes(rp.addedBytes)}</td>
              <td>{rp.bin ? <Pill tone="off">in bin ({rp.bin.reason})</Pill> : rp.pinned ? <Pill tone="info">pinned</Pill> : <Pill tone="ok">kept</Pill>}</td>
              <td>{!rp.bin && (
                <Action id={`delete-${rp.rpId}`} label="Delete" title={`Delete ${rp.rpId}`} stream={`rp:${tenantId}:${rp.rpId}`} onDone={() => { rps.reload(); onDone(); }} danger
                  confirm="The RP goes to the recycle bin. Type its id again to confirm."
                  fields={[{ name: 'confirmRpId', label: 'RP id', required: true }, { name: 'reason', label: 'Reason', required: true }]}
                  run={(v) => deleteRp(tenantId, rp.rpId, v['confirmRpId'] ?? '', v['reason'] ?? '')} />
              )}</td>
            </tr>))}</tbody>
        </table>
      )}
    </article>
  );
}

function Retention({ t, onDone }: { t: TenantDetail; onDone: () => void }) {
  const keep = t.retention?.keep;
  const policy = keep && KEEP_RULES.some((k) => keep[k] > 0) ? KEEP_RULES.filter((k) => keep[k] > 0).map((k) => `keep-${k}=${keep[k]}`).join(', ') : 'keep everything';
  return (
    <>
      <h2>Retention</h2>
      <p>{policy}; {t.retention?.binDays ?? '—'} days in the recycle bin.</p>
      <Action id="retention" label="Change retention" title={`Retention of ${t.name}`} stream={`tenant:${t.tenantId}`} onDone={onDone}
        confirm="The next retention run applies it (RPs it expires go to the recycle bin)."
        fields={[...KEEP_RULES.map((k) => ({ name: `keep-${k}`, label: `Keep ${k}`, type: 'number' as const, min: 0, value: String(keep?.[k] ?? 0) })),
          { name: 'binDays', label: 'Recycle bin days', type: 'number', min: 1, value: String(t.retention?.binDays ?? '') }]}
        run={(v) => changeRetention(t.tenantId, v)} />
    </>
  );
}

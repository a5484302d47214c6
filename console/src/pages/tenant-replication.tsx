import { Action } from '../components/action.js';
import { ErrorBox, Pill } from '../components/status.js';
import {
  deleteTenant, duration, gcFreed, gcStatus, HEALTH_COLOUR, HEALTH_TONE, lag, machineHealth, pauseMachine, pauseTenant, resumeMachine, resumeTenant,
  setBandwidth, setLease, setRpo, startGc,
} from '../data/replication.js';
import { bytes, when } from '../format.js';
import type { TenantDetail } from '../types.js';
import { useLoad } from '../use-load.js';

const MIB = 1024 * 1024;
const reasonField = { name: 'reason', label: 'Reason (the source sees it)', type: 'textarea' as const, required: true };

/** A tenant's incoming replication: pause/resume (tenant and machines), RPO target, lease, bandwidth, and its lag. */
export function TenantReplication({ t, onDone }: { t: TenantDetail; onDone: () => void }) {
  const l = useLoad(() => lag(t.tenantId), [t.tenantId, t.version]);
  const stream = `tenant:${t.tenantId}`;
  const done = () => { onDone(); l.reload(); };
  return (
    <>
      <h2>Incoming replication</h2>
      <dl class="facts">
        <dt>Replication</dt><dd data-testid="replication-state">{t.replicationPausedReason
          ? <><Pill tone="warn">paused</Pill> {t.replicationPausedReason}</>
          : <Pill tone="ok">accepted</Pill>}</dd>
        <dt>RPO target</dt><dd data-testid="rpo-target">{t.rpoTargetSeconds ? duration(t.rpoTargetSeconds) : 'none'}</dd>
        <dt>Lease ends</dt><dd data-testid="lease-end">{t.leaseEndsAt ? when(t.leaseEndsAt) : 'no end'}</dd>
        <dt>Upload limit</dt><dd data-testid="bandwidth">{t.bandwidthLimitBytesPerSecond ? `${bytes(t.bandwidthLimitBytesPerSecond)}/s` : 'none'}</dd>
      </dl>
      <div class="buttons">
        {t.replicationPausedReason
          ? <Action id="resume-replication" label="Resume replication" title={`Resume replication of ${t.name}`} stream={stream} onDone={done}
            confirm="Accept this tenant's uploads and commits again?" run={() => resumeTenant(t.tenantId)} />
          : <Action id="pause-replication" label="Pause replication" title={`Pause replication of ${t.name}`} stream={stream} onDone={done}
            confirm="Its source core's uploads and commits get 423 with this reason and wait; restores keep working." fields={[reasonField]}
            run={(v) => pauseTenant(t.tenantId, v['reason'] ?? '')} />}
        <Action id="rpo" label="RPO target" title={`RPO target of ${t.name}`} stream={stream} onDone={done}
          confirm="Its machines are measured against it (empty: no target)."
          fields={[{ name: 'minutes', label: 'RPO target (minutes)', type: 'number', min: 1, step: 'any', value: t.rpoTargetSeconds ? String(t.rpoTargetSeconds / 60) : '' }]}
          run={(v) => setRpo(t.tenantId, v['minutes'])} />
        <Action id="lease" label="Lease end" title={`Lease end of ${t.name}`} stream={stream} onDone={done}
          confirm="After it the tenant's writes are refused, its restores keep working (empty: no end)."
          fields={[{ name: 'lease', label: 'Lease ends (YYYY-MM-DD or ISO time, UTC)', value: t.leaseEndsAt ?? '', hint: 'e.g. 2027-06-30' }]}
          run={(v) => setLease(t.tenantId, v['lease'])} />
        <Action id="bandwidth" label="Upload limit" title={`Upload limit of ${t.name}`} stream={stream} onDone={done}
          confirm="Its source cores are told the limit with every answer (empty: none)."
          fields={[{ name: 'mibps', label: 'Upload limit (MiB/s)', type: 'number', min: 0.0625, step: 'any', value: t.bandwidthLimitBytesPerSecond ? String(+(t.bandwidthLimitBytesPerSecond / MIB).toFixed(3)) : '' }]}
          run={(v) => setBandwidth(t.tenantId, v['mibps'])} />
      </div>
      <ErrorBox error={l.error} what="read the replication lag" />
      {l.data && l.data.items.length > 0 && (
        <table data-testid="tenant-lag">
          <thead><tr><th scope="col">Machine</th><th scope="col">Status</th><th scope="col">Last RP</th><th scope="col">Lag</th><th scope="col">Compliance</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{l.data.items.map((m) => {
            const h = machineHealth(m, t);
            const own = t.machines.find((x) => x.machineId === m.machineId)?.replicationPausedReason;
            const mstream = `machine:${t.tenantId}:${m.machineId}`;
            return (
              <tr key={m.machineId} data-machine={m.machineId} data-health={HEALTH_COLOUR[h]}>
                <td>{m.name}</td><td><Pill tone={HEALTH_TONE[h]}>{h}</Pill>{m.paused !== null && <span class="muted"> {m.paused}</span>}</td>
                <td>{when(m.lastCommittedAt)}</td><td>{duration(m.lagSeconds)}</td><td>{m.compliance ?? 'no target'}</td>
                <td>{own
                  ? <Action id={`resume-${m.machineId}`} label="Resume machine" title={`Resume replication of ${m.name}`} stream={mstream} onDone={done}
                    confirm="Accept this machine's uploads and commits again?" run={() => resumeMachine(t.tenantId, m.machineId)} />
                  : <Action id={`pause-${m.machineId}`} label="Pause machine" title={`Pause replication of ${m.name}`} stream={mstream} onDone={done}
                    confirm="This machine's uploads and commits get 423 with this reason; the tenant's other machines go on." fields={[reasonField]}
                    run={(v) => pauseMachine(t.tenantId, m.machineId, v['reason'] ?? '')} />}</td>
              </tr>
            );
          })}</tbody>
        </table>
      )}
    </>
  );
}

/** A tenant's garbage collection: the run under way or the last one's figures, and starting one (or a dry run). */
export function TenantGc({ t }: { t: TenantDetail }) {
  const gc = useLoad(() => gcStatus(t.tenantId), [t.tenantId]);
  const g = gc.data;
  const stream = `gc:${t.tenantId}`;
  const c = g?.last?.counters;
  return (
    <>
      <h2>Garbage collection</h2>
      <ErrorBox error={gc.error} what="read the garbage collection status" />
      {g && (
        <dl class="facts" data-testid="gc-status">
          <dt>Status</dt><dd>{g.status === 'running' ? <><Pill tone="info">running</Pill> {g.runId} since {when(g.startedAt)}, phase {g.phase ?? '—'}, step {g.step ?? 0}{g.options?.dryRun ? ' (dry run)' : ''}{g.notBefore ? `, next step after ${when(g.notBefore)}` : ''}</> : <Pill tone="off">idle</Pill>}</dd>
          <dt>Last run</dt><dd data-testid="gc-last">{g.last && c
            ? <>{g.last.runId}{g.last.dryRun ? ' (dry run)' : ''}: {gcFreed(c, g.last.dryRun)}; <span class="muted">{Object.entries(c).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${k.endsWith('Bytes') ? bytes(v) : v}`).join(', ')}</span></>
            : 'none yet'}</dd>
        </dl>
      )}
      <div class="buttons">
        <Action id="gc-dry-run" label="GC dry run" title={`GC dry run of ${t.name}`} stream={stream} onDone={gc.reload}
          confirm="Mark and plan only: the run reports what it would free and changes nothing." run={() => startGc(t.tenantId, true)} />
        <Action id="gc-start" label="Start GC" title={`Garbage collection of ${t.name}`} stream={stream} onDone={gc.reload} danger
          confirm="Packs no kept recovery point needs are deleted (after the grace period and the settle); its steps run on the workflow queue." run={() => startGc(t.tenantId, false)} />
        <button type="button" onClick={gc.reload}>Refresh GC status</button>
      </div>
    </>
  );
}

/** Deleting the tenant: its id typed again. */
export function DeleteTenant({ t, onDone }: { t: TenantDetail; onDone: () => void }) {
  return (
    <>
      <h2>Delete the tenant</h2>
      {t.deleted
        ? <p data-testid="tenant-deleted"><Pill tone="bad">deleted</Pill> {when(t.deleted.deletedAt)}: {t.deleted.reason}. Its RPs go through the recycle bin; Resume undoes it.</p>
        : <Action id="delete-tenant" label="Delete tenant" title={`Delete ${t.name}`} stream={`tenant:${t.tenantId}`} onDone={onDone} danger
          confirm="Its writes are refused, every RP goes to the recycle bin and is purged when the bin period ends. Type the tenant id again to confirm."
          fields={[{ name: 'confirmTenantId', label: 'Tenant id', required: true }, reasonField]}
          run={(v) => deleteTenant(t.tenantId, v['confirmTenantId'] ?? '', v['reason'] ?? '')} />}
    </>
  );
}

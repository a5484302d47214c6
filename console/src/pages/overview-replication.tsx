import { Chart } from '../components/chart.js';
import { ErrorBox, Loading, Pill } from '../components/status.js';
import { loadReplication } from '../data/overview.js';
import { duration, HEALTH_COLOUR, HEALTH_TONE, machineHealth, pastRpo } from '../data/replication.js';
import { bytes, when } from '../format.js';
import type { MachineLag, SeedImport, Tenant } from '../types.js';
import { useLoad } from '../use-load.js';

const tenantLink = (id: string, names: ReadonlyMap<string, string>) => <a href={`#/tenants/${encodeURIComponent(id)}`}>{names.get(id) ?? id}</a>;

/** The overview's machines past their RPO, every machine's status, the lag chart and the seed imports. */
export function ReplicationPanels({ tenants }: { tenants: readonly Tenant[] }) {
  const r = useLoad(loadReplication);
  const names = new Map(tenants.map((t) => [t.tenantId, t.name]));
  const byId = new Map(tenants.map((t) => [t.tenantId, t]));
  const d = r.data;
  const past = d ? pastRpo(d.lag) : [];
  const running = d ? d.seedImports.filter((s) => s.status === 'running') : [];
  const failed = d ? d.seedImports.filter((s) => s.status === 'failed') : [];
  return (
    <>
      <h2>Machines past their RPO</h2>
      <ErrorBox error={r.error} what="read the replication lag and the seed imports" />
      <Loading loading={r.loading && !d}>
        {d && (
          <>
            {past.length === 0
              ? <p class="muted" data-testid="past-rpo-none">No machine is past its RPO target ({d.lag.items.filter((m) => m.rpoTargetSeconds !== null).length} of {d.lag.items.length} machines have one).</p>
              : <MachineTable items={past} names={names} byId={byId} testid="past-rpo" />}
            <h2>Machines and replication</h2>
            {d.lag.items.length === 0 ? <p class="muted">No machine registered yet.</p> : <MachineTable items={d.lag.items} names={names} byId={byId} testid="machines" />}
            <p class="muted">Lag as of {when(d.lag.evaluatedAt)}. Green online, yellow paused, red past its RPO target, grey offline (tenant suspended or deleted, or no recovery point yet).</p>
            <Chart title="Replication lag per machine (time since its last recovery point)" categories={d.lag.items.map((m) => `${m.name} (${names.get(m.tenantId) ?? m.tenantId})`)}
              x={d.lag.items.map((_, i) => i)} yFormat={duration}
              series={[{ label: 'Lag', values: d.lag.items.map((m) => m.lagSeconds), color: '#b26a00', bars: true },
                { label: 'RPO target', values: d.lag.items.map((m) => m.rpoTargetSeconds), color: '#b3261e' }]} />

            <h2>Seed imports</h2>
            {running.length === 0 && failed.length === 0 && <p class="muted">No seed import in progress or failed ({d.seedImports.length} completed).</p>}
            {running.length > 0 && <SeedTable title="In progress" items={running} names={names} />}
            {failed.length > 0 && <SeedTable title="Failed" items={failed} names={names} />}
          </>
        )}
      </Loading>
    </>
  );
}

function MachineTable({ items, names, byId, testid }: { items: MachineLag[]; names: ReadonlyMap<string, string>; byId: ReadonlyMap<string, Tenant>; testid: string }) {
  return (
    <table data-testid={testid}>
      <thead><tr><th scope="col">Machine</th><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Last RP</th><th scope="col">Lag</th><th scope="col">RPO target</th><th scope="col">Compliance</th></tr></thead>
      <tbody>{items.map((m) => {
        const h = machineHealth(m, byId.get(m.tenantId));
        return (
          <tr key={`${m.tenantId}/${m.machineId}`} data-machine={m.machineId} data-health={HEALTH_COLOUR[h]}>
            <td>{m.name}{m.name !== m.machineId && <span class="muted"> {m.machineId}</span>}</td>
            <td>{tenantLink(m.tenantId, names)}</td>
            <td><Pill tone={HEALTH_TONE[h]}>{h}</Pill>{m.paused !== null && <span class="muted"> {m.paused}</span>}</td>
            <td>{when(m.lastCommittedAt)}</td><td>{duration(m.lagSeconds)}</td>
            <td>{m.rpoTargetSeconds === null ? '—' : duration(m.rpoTargetSeconds)}</td>
            <td>{m.compliance ?? 'no target'}</td>
          </tr>
        );
      })}</tbody>
    </table>
  );
}

function SeedTable({ title, items, names }: { title: string; items: SeedImport[]; names: ReadonlyMap<string, string> }) {
  return (
    <>
      <h3>{title}</h3>
      <table class="seeds" data-testid={`seed-${title === 'Failed' ? 'failed' : 'running'}`}>
        <thead><tr><th scope="col">Import</th><th scope="col">Tenant</th><th scope="col">Folder</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Requested</th><th scope="col">Report</th></tr></thead>
        <tbody>{items.map((s) => (
          <tr key={s.importId} data-import={s.importId}>
            <td><code>{s.importId}</code></td><td>{tenantLink(s.tenantId, names)}</td><td><code>{s.prefix}</code></td>
            <td><Pill tone={s.status === 'failed' ? 'bad' : s.status === 'running' ? 'info' : 'ok'}>{s.status}</Pill>{s.phase && <span class="muted"> {s.phase}</span>}</td>
            <td>{progress(s)}</td><td>{when(s.requestedAt)} by {s.requestedBy}</td>
            <td>{s.reason && <p class="error-text">{s.reason}</p>}
              {s.problems && s.problems.length > 0 && <ul class="problems">{s.problems.map((p) => <li key={p.file}><code>{p.file}</code>: {p.problem}</li>)}</ul>}</td>
          </tr>))}</tbody>
      </table>
    </>
  );
}

export function progress(s: SeedImport): string {
  const files = s.filesTotal ? `${s.filesDone ?? 0}/${s.filesTotal} files` : '';
  const b = s.bytesTotal ? `${bytes(s.bytesDone ?? 0)} of ${bytes(s.bytesTotal)}` : '';
  return [files, b].filter(Boolean).join(', ') || '—';
}

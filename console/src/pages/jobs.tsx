import { ErrorBox, Loading, Pill } from '../components/status.js';
import { loadJobs } from '../data/jobs.js';
import { bytes, when } from '../format.js';
import { progress } from './overview-replication.js';
import { duration, gcFreed } from '../data/replication.js';
import { useLoad } from '../use-load.js';

export function JobsPage() {
  const j = useLoad(loadJobs);
  const d = j.data;
  return (
    <section aria-labelledby="jobs-h">
      <h1 id="jobs-h">Jobs</h1>
      <div class="toolbar"><button type="button" onClick={j.reload}>Refresh</button></div>
      <ErrorBox error={j.error} what="load the jobs" />
      <Loading loading={j.loading && !d}>
        {d && (
          <>
            <h2>Activity by job</h2>
            {d.jobs.length === 0 ? <p class="muted">No job has appended an event yet.</p> : (
              <table>
                <thead><tr><th scope="col">Job</th><th scope="col">Events</th><th scope="col">Failures</th><th scope="col">First</th><th scope="col">Last</th></tr></thead>
                <tbody>{d.jobs.map((x) => (
                  <tr key={x.job}><td>{x.job}</td><td>{x.runs}</td><td>{x.failures ? <Pill tone="bad">{x.failures}</Pill> : <Pill tone="ok">0</Pill>}</td><td>{when(x.first)}</td><td>{when(x.last)}</td></tr>
                ))}</tbody>
              </table>
            )}
            {d.capped && <p class="muted">Counted over the first events of the log only.</p>}

            <h2>Garbage collection runs</h2>
            {d.gcRuns.length === 0 ? <p class="muted">No GC run yet.</p> : (
              <table data-testid="gc-runs">
                <thead><tr><th scope="col">Tenant</th><th scope="col">Run</th><th scope="col">Outcome</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Steps</th><th scope="col">Freed (dry run: would free)</th></tr></thead>
                <tbody>{d.gcRuns.map((r) => (
                  <tr key={`${r.tenantId}/${r.runId}`}>
                    <td><a href={`#/tenants/${encodeURIComponent(r.tenantId)}`}>{r.tenantId}</a></td><td><code>{r.runId}</code>{r.dryRun ? ' (dry run)' : ''}</td>
                    <td><Pill tone={r.outcome === 'finished' ? 'ok' : r.outcome === 'running' ? 'info' : 'warn'}>{r.outcome}</Pill>{r.reason ? ` ${r.reason}` : ''}</td>
                    <td>{when(r.startedAt)}</td><td>{when(r.endedAt)}</td><td>{r.steps}</td>
                    <td>{r.counters ? gcFreed(r.counters, r.dryRun) : '—'}</td>
                  </tr>))}</tbody>
              </table>
            )}

            <h2>Seed imports</h2>
            {d.seedImports.length === 0 ? <p class="muted">No seed import yet.</p> : (
              <table class="seeds" data-testid="seed-imports">
                <thead><tr><th scope="col">Import</th><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Requested</th><th scope="col">Updated</th><th scope="col">Result</th></tr></thead>
                <tbody>{d.seedImports.map((x) => (
                  <tr key={x.importId} data-import={x.importId}>
                    <td><code>{x.importId}</code> <span class="muted">{x.prefix}</span></td><td>{x.tenantId}</td>
                    <td><Pill tone={x.status === 'failed' ? 'bad' : x.status === 'running' ? 'info' : 'ok'}>{x.status}</Pill></td>
                    <td>{progress(x)}</td><td>{when(x.requestedAt)}</td><td>{when(x.updatedAt)}</td>
                    <td>{x.status === 'completed' ? `${x.rpIds?.length ?? 0} RPs, ${bytes(x.storedBytes ?? 0)} stored` : x.reason ?? ''}
                      {x.problems && x.problems.length > 0 && <ul class="problems">{x.problems.map((p) => <li key={p.file}><code>{p.file}</code>: {p.problem}</li>)}</ul>}</td>
                  </tr>))}</tbody>
              </table>
            )}

            <h2>RPO job</h2>
            {d.rpo.length === 0 ? <p class="muted">No machine has gone past its RPO target.</p> : (
              <table data-testid="rpo-events">
                <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Machine</th><th scope="col">Compliance</th><th scope="col">Lag / target</th></tr></thead>
                <tbody>{d.rpo.map((e) => {
                  const x = e.data as { machineId: string; tenantId: string; compliance: string; lagSeconds: number; rpoTargetSeconds: number };
                  return <tr key={`${e.streamId}/${e.version}`}><td>{when(e.at)}</td><td>{e.type}</td><td>{x.machineId} <span class="muted">{x.tenantId}</span></td><td>{x.compliance}</td><td>{duration(x.lagSeconds)} / {duration(x.rpoTargetSeconds)}</td></tr>;
                })}</tbody>
              </table>
            )}

            <h2>Failures</h2>
            {d.failures.length === 0 ? <p class="muted">None.</p> : (
              <table>
                <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Stream</th><th scope="col">Details</th></tr></thead>
                <tbody>{d.failures.map((e) => <tr key={`${e.streamId}/${e.version}`}><td>{when(e.at)}</td><td>{e.type}</td><td><code>{e.streamId}</code></td><td><code class="wrap">{JSON.stringify(e.data).slice(0, 300)}</code></td></tr>)}</tbody>
              </table>
            )}

            <h2>Pairing certificates that failed</h2>
            {d.failedPairings.length === 0 ? <p class="muted">None.</p> : (
              <ul>{d.failedPairings.map((p) => <li key={p.id}>{p.coreName} ({p.id}): {p.certificateFailure?.reason ?? p.reason ?? 'failed'}</li>)}</ul>
            )}

            <h2>Projection dead letters</h2>
            {d.deadLetters.length === 0 ? <p class="muted">None: every event reached the read models.</p> : (
              <table>
                <thead><tr><th scope="col">Position</th><th scope="col">Stream</th><th scope="col">Type</th><th scope="col">Attempts</th><th scope="col">Dead-lettered</th><th scope="col">Error</th></tr></thead>
                <tbody>{d.deadLetters.map((x) => <tr key={x.position}><td>{x.position}</td><td><code>{x.streamId}</code> v{x.version}</td><td>{x.type}</td><td>{x.attempts}</td><td>{when(x.deadLetteredAt)}</td><td>{x.error}</td></tr>)}</tbody>
              </table>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}

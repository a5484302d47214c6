import { ErrorBox, Loading, NotAvailable, Pill } from '../components/status.js';
import { loadJobs } from '../data/jobs.js';
import { when } from '../format.js';
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
            <NotAvailable what="Garbage collection runs" />
            <NotAvailable what="Seed imports" />

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

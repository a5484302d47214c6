import { Chart } from '../components/chart.js';
import { ErrorBox, Loading, Pill } from '../components/status.js';
import { loadOverview, NEAR_QUOTA } from '../data/overview.js';
import { ReplicationPanels } from './overview-replication.js';
import { bytes, day, pct, when } from '../format.js';
import { useLoad } from '../use-load.js';

const day0 = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;

export function OverviewPage() {
  const o = useLoad(loadOverview);
  const d = o.data;
  const tight = d ? d.usage.tenants.filter((t) => t.quotaBytes > 0 && t.storedBytes / t.quotaBytes >= NEAR_QUOTA) : [];
  const verifyProblems = d ? d.details.filter((t) => t.verification.damaged > 0 || t.verification.broken > 0) : [];
  // Verify failures have a card of their own; these are the other jobs' failures and the dead letters.
  const failedJobs = d ? d.deadLetters.length + d.failedPairings.length + d.failures.filter((e) => e.type === 'VerificationReportFailed' || e.type === 'CertificateRenewalFailed' || e.type === 'SeedImportFailed').length : 0;
  const names = d ? new Map(d.tenants.map((t) => [t.tenantId, t.name])) : new Map<string, string>();
  return (
    <section aria-labelledby="overview-h">
      <h1 id="overview-h">Overview</h1>
      <ErrorBox error={o.error} what="load the overview" />
      <Loading loading={o.loading && !d}>
        {d && (
          <>
            <div class="cards">
              <a class="card" href="#/pairing" data-card="pending">
                <span class="card-label">Pending pairing requests</span>
                <span class={`badge ${d.pending.length ? 'badge-warn' : ''}`} data-testid="pending-badge">{d.pending.length}</span>
              </a>
              <div class="card"><span class="card-label">Tenants</span><span class="badge">{d.tenants.length}</span>
                <small>{d.tenants.filter((t) => t.status === 'suspended').length} suspended</small></div>
              <div class="card"><span class="card-label">Near or over quota</span><span class={`badge ${tight.length ? 'badge-warn' : ''}`}>{tight.length}</span></div>
              <div class="card"><span class="card-label">Verify failures</span><span class={`badge ${verifyProblems.length ? 'badge-bad' : ''}`}>{verifyProblems.length}</span></div>
              <a class="card" href="#/jobs"><span class="card-label">Failed jobs / dead letters</span>
                <span class={`badge ${failedJobs ? 'badge-bad' : ''}`} data-testid="failed-jobs">{failedJobs}</span></a>
            </div>

            <h2>Tenants near or over quota</h2>
            {tight.length === 0 ? <p class="muted">No tenant uses {Math.round(NEAR_QUOTA * 100)} % of its quota or more.</p> : (
              <table>
                <thead><tr><th scope="col">Tenant</th><th scope="col">Used</th><th scope="col">Quota</th><th scope="col">Share</th><th scope="col">Estimated full</th></tr></thead>
                <tbody>{tight.map((t) => (
                  <tr key={t.tenantId}>
                    <td><a href={`#/tenants/${encodeURIComponent(t.tenantId)}`}>{names.get(t.tenantId) ?? t.tenantId}</a></td>
                    <td>{bytes(t.storedBytes)}</td><td>{bytes(t.quotaBytes)}</td>
                    <td><Pill tone={t.storedBytes >= t.quotaBytes ? 'bad' : 'warn'}>{pct(t.storedBytes, t.quotaBytes)}</Pill></td>
                    <td>{t.storedBytes >= t.quotaBytes ? 'full' : t.estimatedFullAt ? day(t.estimatedFullAt) : 'not growing'}</td>
                  </tr>))}</tbody>
              </table>
            )}

            <h2>Verify failures</h2>
            {verifyProblems.length === 0 ? <p class="muted">No damaged chunk or broken recovery point.</p> : (
              <ul>{verifyProblems.map((t) => (
                <li key={t.tenantId}><a href={`#/tenants/${encodeURIComponent(t.tenantId)}`}>{t.name}</a>: <Pill tone="bad">{t.verification.damaged} damaged RPs</Pill> {t.verification.broken} broken, {t.verification.damagedChunks.length} damaged chunks (last verified {when(t.verification.lastVerifiedAt)})</li>
              ))}</ul>
            )}

            <ReplicationPanels tenants={d.tenants} />

            <h2>Charts</h2>
            <div class="charts">
              <Chart title="Storage used and quota per tenant" categories={d.usage.tenants.map((t) => names.get(t.tenantId) ?? t.tenantId)}
                x={d.usage.tenants.map((_, i) => i)} yFormat={bytes}
                series={[{ label: 'Used', values: d.usage.tenants.map((t) => t.storedBytes), color: '#1d5fbf', bars: true },
                  { label: 'Quota', values: d.usage.tenants.map((t) => t.quotaBytes), color: '#b3261e' }]} />
              <Chart days={30} title="Recovery points received per day (last 30 days)" x={d.ingest.map((i) => day0(i.day))}
                series={[{ label: 'RPs', values: d.ingest.map((i) => i.rps), color: '#2e7d32', bars: true }]} />
              <Chart days={30} title="Bytes ingested per day (last 30 days)" x={d.ingest.map((i) => day0(i.day))} yFormat={bytes}
                series={[{ label: 'Bytes added', values: d.ingest.map((i) => i.bytes), color: '#6a1b9a', bars: true }]} />
            </div>
            {d.logCapped && <p class="muted">The charts of RPs and bytes cover the first events of the log only (it is longer than the console reads at once).</p>}
          </>
        )}
      </Loading>
    </section>
  );
}

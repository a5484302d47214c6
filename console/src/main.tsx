import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';
import { EventsPage } from './pages/events.js';
import { JobsPage } from './pages/jobs.js';
import { OverviewPage } from './pages/overview.js';
import { PairingPage } from './pages/pairing.js';
import { TenantPage } from './pages/tenant.js';
import { TenantsPage } from './pages/tenants.js';
import './style.css';

/** Hash routes (#/pairing, #/tenants/t-1, …): the core serves one page at /admin. */
function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => { setRoute(read()); document.getElementById('main')?.focus(); };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

const NAV = [['', 'Overview'], ['pairing', 'Pairing requests'], ['tenants', 'Tenants'], ['jobs', 'Jobs'], ['events', 'Event log']] as const;

function App() {
  const route = useRoute();
  const [me, setMe] = useState<{ subject: string; role: string }>();
  const [pending, setPending] = useState<number>();
  useEffect(() => {
    // After the page's own reads (a browser opens 6 connections per host): who am I, and the pending count every 15 s.
    const poll = () => getJson<{ items: unknown[] }>('/v1/admin/pairing-requests?status=pending').then((r) => setPending(r.items.length), () => undefined);
    const first = setTimeout(() => {
      getJson<{ subject: string; role: string }>('/v1/whoami').then(setMe, () => setMe(undefined));
      void poll();
    }, 1500);
    const t = setInterval(poll, 15_000);
    return () => { clearTimeout(first); clearInterval(t); };
  }, []);
  const [page = '', arg] = route;
  useEffect(() => { document.title = `${NAV.find(([p]) => p === page)?.[1] ?? 'drcore'} — drcore admin console`; }, [page]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <span class="brand">drcore</span>
        <nav aria-label="Main">
          <ul>{NAV.map(([p, label]) => (
            <li key={p}><a href={`#/${p}`} aria-current={page === p ? 'page' : undefined}>{label}
              {p === 'pairing' && pending ? <span class="badge badge-warn nav-badge" aria-label={`${pending} pending`}>{pending}</span> : null}</a></li>
          ))}</ul>
        </nav>
        <span class="me">{me ? `${me.subject} (${me.role})` : ''}</span>
      </header>
      <main id="main" tabIndex={-1}>
        {page === '' && <OverviewPage />}
        {page === 'pairing' && <PairingPage />}
        {page === 'tenants' && !arg && <TenantsPage />}
        {page === 'tenants' && arg && <TenantPage tenantId={arg} />}
        {page === 'jobs' && <JobsPage />}
        {page === 'events' && <EventsPage />}
        {!NAV.some(([p]) => p === page) && <p>No page “{page}”. <a href="#/">Overview</a></p>}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

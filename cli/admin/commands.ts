import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { FIRST_FORMAT_HELP } from '../../shared/app/log-format.js';
import { verifyLog } from '../../shared/app/verify-log.js';
import type { PairingRequestSummary } from '../../shared/app/projections/pairing-requests.js';
import type { PairingView } from '../../shared/app/pairing-service.js';
import type { TenantSummary } from '../../shared/app/projections/tenants.js';
import type { PositionedEvent } from '../../shared/events/envelope.js';
import { formatBytes, parse, parseSize, UsageError } from '../args.js';
import { adminClient, DEFAULT_DATA } from './connect.js';
import { rebuildProjectionsCommand } from './rebuild-projections.js';

const common = { url: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } } as const;
type Out = (line: string) => void;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function showPairing(v: PairingView, out: Out): void {
  out(`${v.id}  ${v.status}${v.tenantId ? `  tenant ${v.tenantId}` : ''}`);
  for (const f of v.feedback) out(`  ${f.at}  ${f.message}`);
}

export async function adminCommand(sub: string | undefined, argv: string[], out: Out): Promise<number> {
  switch (sub) {
    case 'requests': {
      const { values } = parse(argv, { ...common, status: { type: 'string', default: 'pending' } });
      const api = adminClient(values);
      try {
        const { items } = await api.json<{ items: PairingRequestSummary[] }>('GET', `/v1/admin/pairing-requests?status=${encodeURIComponent(values.status)}`);
        if (values.json) { out(JSON.stringify(items)); return 0; }
        if (items.length === 0) { out(`no ${values.status} pairing requests`); return 0; }
        out(table([['ID', 'STATUS', 'CORE', 'CORE ID', 'E-MAIL', 'CUSTOMER', 'REQUESTED'],
          ...items.map((r) => [r.id, r.status, r.coreName, r.coreId, r.email, r.customerId ?? '-', r.requestedAt])]));
        return 0;
      } finally { api.close(); }
    }
    case 'approve': case 'reject': case 'ignore': {
      const { values, positionals } = parse(argv, { ...common, quota: { type: 'string' }, 'customer-id': { type: 'string' }, note: { type: 'string' }, reason: { type: 'string' } });
      const id = positionals[0];
      if (!id) throw new UsageError(`drcore admin ${sub} ID …`);
      let body: Record<string, unknown> = {};
      if (sub === 'approve') {
        if (!values.quota) throw new UsageError('drcore admin approve ID --quota SIZE (e.g. 500GiB)');
        body = { quotaBytes: parseSize(values.quota), ...(values['customer-id'] ? { customerId: values['customer-id'] } : {}), ...(values.note ? { note: values.note } : {}) };
      } else if (sub === 'reject') {
        if (!values.reason) throw new UsageError('drcore admin reject ID --reason TEXT');
        body = { reason: values.reason };
      }
      const api = adminClient(values);
      try {
        const view = await api.json<PairingView>('POST', `/v1/admin/pairing-requests/${encodeURIComponent(id)}/${sub}`, body);
        if (values.json) out(JSON.stringify(view)); else showPairing(view, out);
        return 0;
      } finally { api.close(); }
    }
    case 'events': {
      const { values } = parse(argv, { ...common, stream: { type: 'string' }, after: { type: 'string' }, limit: { type: 'string', default: '200' } });
      const api = adminClient(values);
      try {
        const q = new URLSearchParams({ limit: values.limit, ...(values.stream ? { stream: values.stream } : {}), ...(values.after ? { after: values.after } : {}) });
        const { items } = await api.json<{ items: PositionedEvent[] }>('GET', `/v1/admin/events?${q}`);
        if (values.json) { out(JSON.stringify(items)); return 0; }
        out(table([['POSITION', 'AT', 'STREAM', 'VERSION', 'TYPE', 'ACTOR'], ...items.map((e) => [e.position ?? '', e.at, e.streamId, String(e.version), e.type, e.actor])]));
        return 0;
      } finally { api.close(); }
    }
    case 'tenants': case 'tenant': {
      const { values, positionals } = parse(argv, common);
      const api = adminClient(values);
      try {
        if (sub === 'tenant') {
          if (!positionals[0]) throw new UsageError('drcore admin tenant ID');
          const t = await api.json<Record<string, unknown>>('GET', `/v1/admin/tenants/${encodeURIComponent(positionals[0])}`);
          out(JSON.stringify(t, null, 2));
          return 0;
        }
        const { items } = await api.json<{ items: TenantSummary[] }>('GET', '/v1/admin/tenants');
        if (values.json) { out(JSON.stringify(items)); return 0; }
        out(table([['TENANT', 'NAME', 'STATUS', 'USED', 'QUOTA', 'E-MAIL'], ...items.map((t) => [
          t.tenantId, t.name, t.status, formatBytes(t.usage?.storedBytes ?? 0), formatBytes(t.quotaBytes), t.email])]));
        return 0;
      } finally { api.close(); }
    }
    case 'revoke': {
      const { values, positionals } = parse(argv, { ...common, reason: { type: 'string' } });
      const [tenantId, serial] = positionals;
      if (!tenantId || !serial || !values.reason) throw new UsageError('drcore admin revoke TENANT SERIAL --reason TEXT');
      const api = adminClient(values);
      try {
        out(JSON.stringify(await api.json('POST', `/v1/admin/tenants/${encodeURIComponent(tenantId)}/certificates/${encodeURIComponent(serial)}/revoke`, { reason: values.reason })));
        return 0;
      } finally { api.close(); }
    }
    case 'revoke-certificate': {
      const { values, positionals } = parse(argv, { ...common, reason: { type: 'string' }, pem: { type: 'string' } });
      const serial = positionals[0];
      if (!serial || !values.reason) throw new UsageError('drcore admin revoke-certificate SERIAL --reason TEXT [--pem CERT.pem]');
      const certificate = values.pem ? readFileSync(values.pem, 'utf8') : undefined;
      const api = adminClient(values);
      try {
        out(JSON.stringify(await api.json('POST', `/v1/admin/certificates/${encodeURIComponent(serial)}/revoke`, { reason: values.reason, ...(certificate ? { certificate } : {}) })));
        return 0;
      } finally { api.close(); }
    }
    case 'verify-log': {
      const { values } = parse(argv, common);
      const store = SqliteEventStore.open(join(resolve(values.data ?? DEFAULT_DATA), 'events.db'));
      try {
        const result = await verifyLog(store);
        if (values.json) out(JSON.stringify(result));
        else if (result.ok) out(`OK: ${result.events} events in ${result.streams} streams; every hash chain verifies`);
        else {
          const f = result.firstFormat;
          if (f) out(`FIRST FORMAT: stream ${f.streamId}${f.position ? ` (log position ${f.position})` : ''}: ${FIRST_FORMAT_HELP}`);
          const b = result.firstBreak;
          if (b) out(`TAMPERED: first bad event: stream ${b.streamId} version ${b.version}${b.position ? ` (log position ${b.position})` : ''}: ${b.reason}`);
          else out(`(the hash chains of ${result.events} events in ${result.streams} streams verify)`);
        }
        return result.ok ? 0 : 1;
      } finally { await store.close?.(); }
    }
    case 'rebuild-projections': return rebuildProjectionsCommand(argv, out);
    default:
      throw new UsageError('drcore admin requests|approve|reject|ignore|events|tenants|tenant|revoke|revoke-certificate|verify-log|rebuild-projections …');
  }
}

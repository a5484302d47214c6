import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parallelOf } from '../../cli/source/connect.js';
import { DEFAULT_GATEWAY_LIMITS, gatewayLimits, serverLimitOptions } from '../../local/gateway-limits.js';
import { MAX_PACK_BYTES } from '../../shared/format/index.js';
import { MAX_JSON_BODY } from '../../shared/http/body.js';
import { ROUTES } from '../../shared/http/routes.js';

describe('local gateway limits', () => {
  it('every route carries its body limit: MAX_PACK_BYTES for the pack upload, 64 KiB for the rest', () => {
    assert.equal(MAX_JSON_BODY, 64 * 1024);
    for (const r of ROUTES) {
      const pack = r.method === 'PUT' && r.path.endsWith('/packs/{packId}');
      assert.equal(r.maxBodyBytes, pack ? MAX_PACK_BYTES : MAX_JSON_BODY, `${r.method} ${r.path}`);
    }
  });

  it('defaults are short before the caller is known and leave room for the busiest source core', () => {
    const d = DEFAULT_GATEWAY_LIMITS;
    assert.ok(d.handshakeTimeoutMs <= 10_000 && d.headersTimeoutMs <= 20_000);
    assert.ok(d.maxConnections <= 1024);
    // A source core at --parallel 64 keeps 64 + 2 connections; the admin CLI up to 8 more.
    assert.ok(d.maxConnectionsPerClient >= parallelOf('64') + 2 + 8);
    assert.ok(d.maxConnectionsPerClient < d.maxConnections);
    const o = serverLimitOptions(d);
    assert.equal(o.handshakeTimeout, d.handshakeTimeoutMs);
    assert.ok(o.connectionsCheckingInterval <= 1000, 'timeouts are checked at least once a second');
  });

  it('refuses limits that are not positive integers, or a header timeout past the request timeout', () => {
    assert.deepEqual(gatewayLimits({ maxConnections: 10 }), { ...DEFAULT_GATEWAY_LIMITS, maxConnections: 10 });
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => gatewayLimits({ maxConnectionsPerClient: bad }), RangeError);
    assert.throws(() => gatewayLimits({ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 }), RangeError);
  });
});

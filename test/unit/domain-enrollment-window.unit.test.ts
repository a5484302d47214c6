import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enrollmentWindowDecider, type EnrollmentWindowCommand, type EnrollmentWindowEvent } from '../../shared/domain/enrollment-window.js';
import { DEFAULT_PAIRING_RATE_LIMIT, pairingRateLimitFrom } from '../../shared/app/pairing-rate-limit.js';
import { streams } from '../../shared/ids.js';
import { spec } from '../support/given-when-then.js';

const serial = '80aa01';
const windowStart = '2025-01-01T10:00:00.000Z';
const file = (requestId: string, limit = 3): EnrollmentWindowCommand => ({ type: 'FilePairingRequest', data: { serial, requestId, windowStart, limit } });
const filed = (requestId: string): EnrollmentWindowEvent => ({ type: 'PairingRequestFiled', data: { serial, requestId, windowStart } });
const window = () => spec(enrollmentWindowDecider);

describe('enrollment window decider: the pairing rate limit (issue 8 item 3)', () => {
  it('files requests up to the limit', () => {
    window().given([]).when(file('pr-1')).then([filed('pr-1')]);
    const state = window().given([filed('pr-1'), filed('pr-2')]).when(file('pr-3')).then([filed('pr-3')]);
    assert.deepEqual(state.requestIds, ['pr-1', 'pr-2', 'pr-3']);
  });

  it('refuses the request after the limit as rate-limited, naming the certificate and the window', () => {
    window().given([filed('pr-1'), filed('pr-2'), filed('pr-3')]).when(file('pr-4'))
      .thenThrows('rate-limited', /80aa01 has filed 3 pairing requests since 2025-01-01T10:00:00.000Z \(at most 3\)/);
    window().given([filed('pr-1')]).when(file('pr-2', 1)).thenThrows('rate-limited');
  });

  it('is idempotent for a request already filed (a retried append that had landed)', () => {
    window().given([filed('pr-1'), filed('pr-2'), filed('pr-3')]).when(file('pr-2')).then([]);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) window().given([]).when(file('pr-1', limit)).thenThrows('invalid');
  });

  it('one stream per certificate and window', () => {
    assert.equal(streams.enrollment(serial, 1735725600), 'enrollment:80aa01:1735725600');
    assert.throws(() => streams.enrollment('../x', 1), /serial/);
    assert.throws(() => streams.enrollment(serial, 1.5), /windowStart/);
  });
});

describe('pairing rate limit configuration (DRCORE_PAIRING_RATE_LIMIT)', () => {
  it('defaults to 10 per hour; reads "<requests>/<seconds>"; refuses anything else', () => {
    assert.deepEqual(DEFAULT_PAIRING_RATE_LIMIT, { requests: 10, windowSeconds: 3600 });
    assert.deepEqual(pairingRateLimitFrom(undefined), DEFAULT_PAIRING_RATE_LIMIT);
    assert.deepEqual(pairingRateLimitFrom(''), DEFAULT_PAIRING_RATE_LIMIT);
    assert.deepEqual(pairingRateLimitFrom('3/60'), { requests: 3, windowSeconds: 60 });
    assert.deepEqual(pairingRateLimitFrom(' 100 / 86400 '), { requests: 100, windowSeconds: 86400 });
    for (const bad of ['10', '0/60', '10/0', 'ten/3600', '10/3600/1', '-1/60', '1e3/60']) assert.throws(() => pairingRateLimitFrom(bad), /invalid pairing rate limit/, bad);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  feedbackFor, filedBy, pairingDecider, type PairingCommand, type PairingEvent, type PairingRequestedData,
} from '../../shared/domain/pairing.js';
import { spec } from '../support/given-when-then.js';

const requestId = 'req-1';
const tenantId = 'tenant-1';
const adminSerial = 'ad01';

const request: PairingRequestedData = {
  requestId, coreName: 'Acme backup core', coreId: 'core-7', email: 'ops@acme.example', customerId: 'cust-9',
  message: 'please pair us', csrPem: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n',
  enrollmentSerial: 'en01',
};
const certificate = { requestId, tenantId, serial: 'c0ffee', certificatePem: 'CERT PEM', caCertificatePem: 'CA PEM' };
const approval = { requestId, tenantId, quotaBytes: 1_000_000_000, note: 'welcome', adminSerial };

const cmd = {
  request: { type: 'RequestPairing', data: request },
  acknowledge: { type: 'AcknowledgePairing', data: { requestId, message: 'Your request has been received; the service provider has been notified.' } },
  approve: { type: 'ApprovePairing', data: approval },
  reject: { type: 'RejectPairing', data: { requestId, reason: 'unknown customer', adminSerial } },
  ignore: { type: 'IgnorePairing', data: { requestId, adminSerial } },
  deliver: { type: 'DeliverCertificate', data: certificate },
  refused: { type: 'RecordCertificateFailure', data: { requestId, reason: 'the certificate authority refused it: invalid common name', retryable: false } },
  delayed: { type: 'RecordCertificateFailure', data: { requestId, reason: 'UnavailableError: Secrets Manager read of the CA secret', retryable: true } },
} satisfies Record<string, PairingCommand>;

const ev = {
  requested: { type: 'PairingRequested', data: request },
  acknowledged: { type: 'PairingAcknowledged', data: cmd.acknowledge.data },
  approved: { type: 'PairingApproved', data: approval },
  rejected: { type: 'PairingRejected', data: cmd.reject.data },
  ignored: { type: 'PairingIgnored', data: cmd.ignore.data },
  delivered: { type: 'PairingCertificateDelivered', data: certificate },
  refused: { type: 'PairingCertificateFailed', data: cmd.refused.data },
  delayed: { type: 'PairingCertificateFailed', data: cmd.delayed.data },
} satisfies Record<string, PairingEvent>;

const pairing = () => spec(pairingDecider);

/** Every decided state, with the word the refusal names it by. */
const decided = [
  { name: 'an approved', history: [ev.requested, ev.acknowledged, ev.approved], status: 'approved' },
  { name: 'a delivered (approved)', history: [ev.requested, ev.acknowledged, ev.approved, ev.delivered], status: 'approved' },
  { name: 'a rejected', history: [ev.requested, ev.acknowledged, ev.rejected], status: 'rejected' },
  { name: 'an ignored', history: [ev.requested, ev.acknowledged, ev.ignored], status: 'ignored' },
  { name: 'a failed', history: [ev.requested, ev.acknowledged, ev.approved, ev.refused], status: 'failed' },
] as const;

describe('pairing decider: RequestPairing', () => {
  it('records a new request', () => {
    const state = pairing().given([]).when(cmd.request).then([ev.requested]);
    assert.equal(state.status, 'pending');
    assert.ok(state.status === 'pending' && !state.acknowledged && state.customerId === 'cust-9');
  });

  it('refuses the same request id twice', () => {
    pairing().given([ev.requested]).when(cmd.request).thenThrows('conflict', /req-1 already exists/);
  });

  it('refuses a request id that is already decided', () => {
    pairing().given([ev.requested, ev.rejected]).when(cmd.request).thenThrows('conflict', /already exists/);
  });
});

describe('pairing decider: AcknowledgePairing', () => {
  it('acknowledges a pending request once', () => {
    const state = pairing().given([ev.requested]).when(cmd.acknowledge).then([ev.acknowledged]);
    assert.ok(state.status === 'pending' && state.acknowledged);
  });

  it('is idempotent: a second acknowledgement produces no event', () => {
    pairing().given([ev.requested, ev.acknowledged]).when(cmd.acknowledge).then([]);
  });

  it('does not acknowledge a request that was decided before the acknowledgement ran (late workflow message): the decision is the feedback', () => {
    pairing().given([ev.requested, ev.approved]).when(cmd.acknowledge).then([]);
    pairing().given([ev.requested, ev.rejected]).when(cmd.acknowledge).then([]);
  });

  it('refuses an unknown request', () => {
    pairing().given([]).when(cmd.acknowledge).thenThrows('not-found', /req-1 does not exist/);
  });
});

describe('pairing decider: ApprovePairing', () => {
  it('approves a pending request with its tenant and quota', () => {
    const state = pairing().given([ev.requested, ev.acknowledged]).when(cmd.approve).then([ev.approved]);
    assert.ok(state.status === 'approved');
    assert.equal(state.tenantId, tenantId);
    assert.equal(state.quotaBytes, 1_000_000_000);
  });

  it('approves a pending request that was never acknowledged', () => {
    pairing().given([ev.requested]).when(cmd.approve).then([ev.approved]);
  });

  it('lets the approval override the customer id the source asked for', () => {
    const data = { ...approval, customerId: 'cust-msp' };
    const state = pairing().given([ev.requested]).when({ type: 'ApprovePairing', data }).then([{ type: 'PairingApproved', data }]);
    assert.ok(state.status === 'approved' && state.customerId === 'cust-msp');
  });

  it('refuses an unknown request', () => {
    pairing().given([]).when(cmd.approve).thenThrows('not-found', /req-1 does not exist/);
  });

  for (const { name, history, status } of decided) {
    it(`refuses to approve ${name} request`, () => {
      pairing().given(history).when(cmd.approve).thenThrows('conflict', new RegExp(`cannot approve pairing request req-1: it is already ${status}`));
    });
  }

  for (const quotaBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    it(`refuses a quota of ${quotaBytes} bytes`, () => {
      pairing().given([ev.requested]).when({ type: 'ApprovePairing', data: { ...approval, quotaBytes } })
        .thenThrows('invalid', /quotaBytes must be a positive integer/);
    });
  }

  it('accepts a quota of one byte', () => {
    const data = { ...approval, quotaBytes: 1 };
    pairing().given([ev.requested]).when({ type: 'ApprovePairing', data }).then([{ type: 'PairingApproved', data }]);
  });

  it('carries the tenant\'s retention when given (every rule filled in), and refuses one out of range', () => {
    const retention = { keep: { last: 3, daily: 2 } as never, binDays: 7 };
    const state = pairing().given([ev.requested]).when({ type: 'ApprovePairing', data: { ...approval, retention } }).then([{
      type: 'PairingApproved', data: { ...approval, retention: { keep: { last: 3, hourly: 0, daily: 2, weekly: 0, monthly: 0, yearly: 0 }, binDays: 7 } },
    }]);
    assert.ok(state.status === 'approved' && state.retention?.binDays === 7);
    pairing().given([ev.requested]).when({ type: 'ApprovePairing', data: { ...approval, retention: { ...retention, binDays: 0 } } }).thenThrows('invalid', /binDays/);
  });
});

describe('pairing decider: RejectPairing', () => {
  it('rejects a pending request with its reason', () => {
    const state = pairing().given([ev.requested, ev.acknowledged]).when(cmd.reject).then([ev.rejected]);
    assert.ok(state.status === 'rejected' && state.reason === 'unknown customer');
  });

  for (const reason of ['', '   ', '\n\t']) {
    it(`refuses a blank reason (${JSON.stringify(reason)})`, () => {
      pairing().given([ev.requested]).when({ type: 'RejectPairing', data: { requestId, reason, adminSerial } })
        .thenThrows('invalid', /a rejection needs a reason/);
    });
  }

  it('refuses an unknown request', () => {
    pairing().given([]).when(cmd.reject).thenThrows('not-found', /req-1 does not exist/);
  });

  for (const { name, history, status } of decided) {
    it(`refuses to reject ${name} request`, () => {
      pairing().given(history).when(cmd.reject).thenThrows('conflict', new RegExp(`cannot reject pairing request req-1: it is already ${status}`));
    });
  }
});

describe('pairing decider: IgnorePairing', () => {
  it('sets a pending request aside', () => {
    const state = pairing().given([ev.requested, ev.acknowledged]).when(cmd.ignore).then([ev.ignored]);
    assert.equal(state.status, 'ignored');
  });

  it('refuses an unknown request', () => {
    pairing().given([]).when(cmd.ignore).thenThrows('not-found', /req-1 does not exist/);
  });

  for (const { name, history, status } of decided) {
    it(`refuses to ignore ${name} request`, () => {
      pairing().given(history).when(cmd.ignore).thenThrows('conflict', new RegExp(`cannot ignore pairing request req-1: it is already ${status}`));
    });
  }
});

describe('pairing decider: DeliverCertificate', () => {
  it('delivers the certificate of an approved request', () => {
    const state = pairing().given([ev.requested, ev.acknowledged, ev.approved]).when(cmd.deliver).then([ev.delivered]);
    assert.ok(state.status === 'approved');
    assert.deepEqual(state.certificate, { serial: 'c0ffee', certificatePem: 'CERT PEM', caCertificatePem: 'CA PEM' });
  });

  it('is idempotent: the same serial again produces no event', () => {
    pairing().given([ev.requested, ev.approved, ev.delivered]).when(cmd.deliver).then([]);
  });

  it('refuses a second certificate with another serial', () => {
    pairing().given([ev.requested, ev.approved, ev.delivered])
      .when({ type: 'DeliverCertificate', data: { ...certificate, serial: 'bad1', certificatePem: 'OTHER PEM' } })
      .thenThrows('conflict', /req-1 already has certificate c0ffee/);
  });

  it('refuses a certificate for another tenant', () => {
    pairing().given([ev.requested, ev.approved])
      .when({ type: 'DeliverCertificate', data: { ...certificate, tenantId: 'tenant-2' } })
      .thenThrows('conflict', /certificate is for another tenant/);
  });

  it('refuses a certificate for another tenant even after delivery with the same serial', () => {
    pairing().given([ev.requested, ev.approved, ev.delivered])
      .when({ type: 'DeliverCertificate', data: { ...certificate, tenantId: 'tenant-2' } })
      .thenThrows('conflict', /another tenant/);
  });

  it('refuses to deliver before approval (pending)', () => {
    pairing().given([ev.requested, ev.acknowledged]).when(cmd.deliver).thenThrows('conflict', /req-1 is pending, not approved/);
  });

  it('refuses to deliver for a rejected request', () => {
    pairing().given([ev.requested, ev.rejected]).when(cmd.deliver).thenThrows('conflict', /req-1 is rejected, not approved/);
  });

  it('refuses to deliver for an ignored request', () => {
    pairing().given([ev.requested, ev.ignored]).when(cmd.deliver).thenThrows('conflict', /req-1 is ignored, not approved/);
  });

  it('refuses an unknown request', () => {
    pairing().given([]).when(cmd.deliver).thenThrows('not-found', /req-1 does not exist/);
  });
});

describe('pairing decider: RecordCertificateFailure', () => {
  it('a permanent failure (the CA refuses) ends the approved request as failed, with its reason', () => {
    const state = pairing().given([ev.requested, ev.acknowledged, ev.approved]).when(cmd.refused).then([ev.refused]);
    assert.equal(state.status, 'failed');
    assert.ok(state.status === 'failed' && state.reason === cmd.refused.data.reason && state.certificate === undefined);
  });

  it('a permanent failure is recorded once: a redelivered workflow message records nothing more', () => {
    pairing().given([ev.requested, ev.approved, ev.refused]).when(cmd.refused).then([]);
    pairing().given([ev.requested, ev.approved, ev.refused]).when(cmd.delayed).then([]);
  });

  it('a retryable failure keeps the request approved, notes the failure, and is recorded once per reason', () => {
    const state = pairing().given([ev.requested, ev.approved]).when(cmd.delayed).then([ev.delayed]);
    assert.ok(state.status === 'approved' && state.failure?.retryable === true);
    pairing().given([ev.requested, ev.approved, ev.delayed]).when(cmd.delayed).then([]);
    const other = { ...cmd.delayed.data, reason: 'another fault' };
    pairing().given([ev.requested, ev.approved, ev.delayed]).when({ type: 'RecordCertificateFailure', data: other })
      .then([{ type: 'PairingCertificateFailed', data: other }]);
  });

  it('a permanent failure may follow retryable ones', () => {
    const state = pairing().given([ev.requested, ev.approved, ev.delayed]).when(cmd.refused).then([ev.refused]);
    assert.equal(state.status, 'failed');
  });

  it('a certificate delivered after a retryable failure clears it', () => {
    const state = pairing().given([ev.requested, ev.approved, ev.delayed]).when(cmd.deliver).then([ev.delivered]);
    assert.ok(state.status === 'approved' && state.failure === undefined && state.certificate?.serial === 'c0ffee');
  });

  it('refuses a certificate for a failed request', () => {
    pairing().given([ev.requested, ev.approved, ev.refused]).when(cmd.deliver).thenThrows('conflict', /req-1 is failed, not approved/);
  });

  it('refuses a failure once the certificate is delivered', () => {
    pairing().given([ev.requested, ev.approved, ev.delivered]).when(cmd.refused).thenThrows('conflict', /req-1 already has certificate c0ffee/);
  });

  it('refuses a failure of a request that is not approved', () => {
    pairing().given([ev.requested]).when(cmd.refused).thenThrows('conflict', /req-1 is pending, not approved/);
    pairing().given([ev.requested, ev.rejected]).when(cmd.delayed).thenThrows('conflict', /req-1 is rejected, not approved/);
  });

  it('refuses a blank reason', () => {
    pairing().given([ev.requested, ev.approved]).when({ type: 'RecordCertificateFailure', data: { requestId, reason: ' ', retryable: false } })
      .thenThrows('invalid', /a failure needs a reason/);
  });

  it('refuses an unknown request', () => {
    pairing().given([]).when(cmd.refused).thenThrows('not-found', /req-1 does not exist/);
  });
});

describe('pairing feedback', () => {
  const lines: Record<PairingEvent['type'], [PairingEvent, RegExp]> = {
    PairingRequested: [ev.requested, /^Pairing request received\.$/],
    PairingAcknowledged: [ev.acknowledged, /^Your request has been received; the service provider has been notified\.$/],
    PairingApproved: [ev.approved, /^Approved by the service provider \(quota 1000000000 bytes\)/],
    PairingRejected: [ev.rejected, /^Rejected: unknown customer$/],
    PairingIgnored: [ev.ignored, /set this request aside/],
    PairingCertificateDelivered: [ev.delivered, /^Certificate c0ffee issued: .*tenant tenant-1\.$/],
    PairingCertificateFailed: [ev.refused, /^Your certificate could not be issued: the certificate authority refused it: invalid common name\. Nothing was set up for this request: send a new pairing request/],
  };

  it('a retryable failure tells the source to wait, and does not show the internal fault', () => {
    const text = feedbackFor(ev.delayed);
    assert.match(text, /could not be issued yet.*alerted.*keep polling/);
    assert.doesNotMatch(text, /Secrets Manager|UnavailableError/);
  });

  for (const [type, [event, line]] of Object.entries(lines)) {
    it(`gives a line for ${type}`, () => {
      const text = feedbackFor(event);
      assert.equal(typeof text, 'string');
      assert.ok(text.trim().length > 0);
      assert.match(text, line);
    });
  }

  it('never leaks the CSR, the certificate or the admin serial into feedback', () => {
    for (const event of Object.values(ev)) {
      const text = feedbackFor(event);
      assert.doesNotMatch(text, /BEGIN|PEM|ad01|en01/);
    }
  });
});

describe('pairing request ownership (issue 8 item 6)', () => {
  it('a request is filed by the enrollment certificate whose serial it recorded, and by no other', () => {
    const state = pairing().given([]).when(cmd.request).then([ev.requested]);
    assert.ok(state.status !== 'none');
    assert.equal(filedBy(state, 'en01'), true);
    assert.equal(filedBy(state, 'en02'), false);
    assert.equal(filedBy(state, ''), false);
  });

  it('a request without a recorded serial is nobody\'s (fail closed)', () => {
    const { enrollmentSerial: _none, ...legacy } = request;
    const state = pairing().given([]).when({ type: 'RequestPairing', data: legacy as PairingRequestedData }).then([{ type: 'PairingRequested', data: legacy as PairingRequestedData }]);
    assert.ok(state.status !== 'none');
    assert.equal(filedBy(state, 'en01'), false);
    assert.equal(filedBy(state, undefined as unknown as string), false);
  });
});

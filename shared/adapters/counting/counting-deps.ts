/**
 * Every port of AppDeps behind its counting wrapper, over one RequestCounter. The notifier
 * and the certificate authority are counted as calls only (SNS and Secrets Manager are off the
 * data path and outside the cost model). The CA stays lazy, as localDeps makes it.
 */
import type { AppDeps } from '../../app/deps.js';
import type { CertificateAuthority } from '../../ports/certificate-authority.js';
import type { Notifier } from '../../ports/notifier.js';
import { countingBlobStore } from './counting-blob-store.js';
import { countingEventStore } from './counting-event-store.js';
import { countingQueue } from './counting-queue.js';
import { countingOperationalStore } from './counting-operational-store.js';
import { countingReadModels } from './counting-read-models.js';
import { countCall, type RequestCounter } from './request-counter.js';

export function countingNotifier(inner: Notifier, counter: RequestCounter): Notifier {
  return {
    notify: (n) => countCall(counter, 'notifier', 'notify', () => inner.notify(n), () => ({ items: 1 })),
    recent: (limit) => countCall(counter, 'notifier', 'recent', () => inner.recent(limit), (o) => ({ items: o.ok ? o.value.length : 0 })),
  };
}

export function countingCertificateAuthority(inner: CertificateAuthority, counter: RequestCounter): CertificateAuthority {
  return {
    caCertificatePem: () => countCall(counter, 'ca', 'caCertificatePem', () => inner.caCertificatePem(), () => ({})),
    signCsr: (csrPem, role, options) => countCall(counter, 'ca', 'signCsr', () => inner.signCsr(csrPem, role, options), () => ({})),
    signDocument: (content, options) => countCall(counter, 'ca', 'signDocument', () => inner.signDocument(content, options), () => ({})),
    unwrapSeedKey: (wrapped) => countCall(counter, 'ca', 'unwrapSeedKey', () => inner.unwrapSeedKey(wrapped), () => ({})),
  };
}

export function countingDeps(inner: AppDeps, counter: RequestCounter): AppDeps {
  let ca: CertificateAuthority | undefined;
  return {
    events: countingEventStore(inner.events, counter),
    blobs: countingBlobStore(inner.blobs, counter),
    queue: countingQueue(inner.queue, counter),
    readModels: countingReadModels(inner.readModels, counter),
    operational: countingOperationalStore(inner.operational, counter),
    notifier: countingNotifier(inner.notifier, counter),
    get ca() { return (ca ??= countingCertificateAuthority(inner.ca, counter)); },
    clock: inner.clock,
    newId: inner.newId,
    ...(inner.logAnchors ? { logAnchors: countingBlobStore(inner.logAnchors, counter) } : {}),
    ...(inner.seedInbox ? { seedInbox: countingBlobStore(inner.seedInbox, counter) } : {}),
    ...(inner.seedInboxPath !== undefined ? { seedInboxPath: inner.seedInboxPath } : {}),
  };
}

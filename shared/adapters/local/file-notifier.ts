/**
 * Notifier for the local runtime: notifications are operational records in the
 * 'notifications' collection (idempotent per id; never cleared by rebuild-projections)
 * and one log line each, printed when a notification is new.
 */
import type { Notification, Notifier } from '../../ports/notifier.js';
import type { OperationalStore } from '../../ports/operational-store.js';

export const NOTIFICATIONS_COLLECTION = 'notifications';
const DEFAULT_RECENT = 50;

export class LocalNotifier implements Notifier {
  readonly #records: OperationalStore;
  readonly #log: (line: string) => void;
  /** Notifications being stored by this process: a concurrent duplicate waits for the first. */
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(store: OperationalStore, log: (line: string) => void) {
    this.#records = store;
    this.#log = log;
  }

  async notify(n: Notification): Promise<void> {
    const pending = this.#inFlight.get(n.id);
    if (pending) return pending;
    const work = this.#store(n).finally(() => this.#inFlight.delete(n.id));
    this.#inFlight.set(n.id, work);
    return work;
  }

  async recent(limit = DEFAULT_RECENT): Promise<Notification[]> {
    const all = await this.#records.list<Notification>(NOTIFICATIONS_COLLECTION);
    return all
      .sort((a, b) => (a.at !== b.at ? (a.at < b.at ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, Math.max(0, limit));
  }

  async #store(n: Notification): Promise<void> {
    if (await this.#records.get<Notification>(NOTIFICATIONS_COLLECTION, n.id)) return;
    const doc: Notification = { id: n.id, at: n.at, kind: n.kind, subject: n.subject, body: n.body };
    await this.#records.put(NOTIFICATIONS_COLLECTION, n.id, doc);
    this.#log(`[notification] ${oneLine(n.at)} ${oneLine(n.kind)}: ${oneLine(n.subject)} (${oneLine(n.id)})`);
  }
}

/** Keeps a log line one line: control characters from client-supplied text become spaces. */
function oneLine(s: string): string {
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

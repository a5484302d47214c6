/**
 * Notifier: tells the MSP that something needs attention (a new pairing request, …).
 * Guarantees: notify() is idempotent per `id` (a redelivered workflow message does not
 * notify twice); a delivered notification is listed by recent().
 */
export interface Notification {
  readonly id: string;
  readonly at: string;
  readonly kind: string;
  readonly subject: string;
  readonly body: string;
}
export interface Notifier {
  notify(n: Notification): Promise<void>;
  recent(limit?: number): Promise<Notification[]>;
}

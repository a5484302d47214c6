import type { ObjectLocks } from '../ports/object-locks.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { CertificateAuthority } from '../ports/certificate-authority.js';
import type { EventStore } from '../ports/event-store.js';
import type { Notifier } from '../ports/notifier.js';
import type { OperationalStore } from '../ports/operational-store.js';
import type { Queue } from '../ports/queue.js';
import type { ReadModels } from '../ports/read-models.js';
import type { UploadSlots } from '../ports/upload-slots.js';

/**
 * Everything the application needs, behind ports. Built by whatever runs the handlers (a Lambda
 * entry's awsDeps, `drcore serve`'s localDeps, a test's own) and passed in: makeHandler(deps).
 */
export interface AppDeps {
  readonly events: EventStore;
  readonly blobs: BlobStore;
  readonly queue: Queue;
  readonly readModels: ReadModels;
  /** Notifications, checkpoints, projection failures and dead letters: not rebuilt from the log. */
  readonly operational: OperationalStore;
  readonly notifier: Notifier;
  readonly ca: CertificateAuthority;
  /**
   * Where the signed checkpoints of the event log go (shared/app/log-anchor.ts): create-once
   * objects outside the event store (local: their own directory; AWS: the Object Lock bucket).
   * Only the runtimes that write checkpoints have it (serve, the workflow worker).
   */
  readonly logAnchors?: BlobStore;
  /** S3 Object Lock on the data bucket (issue 11 item 4); absent where objects cannot be locked (the local runtime). */
  readonly objectLocks?: ObjectLocks;
  /**
   * Where seeds to import arrive (issue 12, docs/seeding.md): local, the configured inbox
   * directory (`drcore serve --seed-inbox`, default DATA/seed-inbox); AWS, the seed-inbox prefix
   * of the data bucket. Only the runtimes that import seeds have it (serve, the workflow worker,
   * the admin API to check a request). `seedInboxPath`: the inbox's directory, locally.
   */
  readonly seedInbox?: BlobStore;
  readonly seedInboxPath?: string;
  /** The tenants' pack uploads in flight (issue 13); absent: the replication handler counts in its own process. */
  readonly uploadSlots?: UploadSlots;
  readonly clock: () => Date;
  /** A new random id, [A-Za-z0-9._-]. */
  readonly newId: (prefix: string) => string;
}

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppDeps } from '../app/deps.js';
import { FileBlobStore } from '../adapters/local/file-blob-store.js';
import { FileCertificateAuthority } from '../adapters/local/file-certificate-authority.js';
import { LocalNotifier } from '../adapters/local/file-notifier.js';
import { SqliteEventStore } from '../adapters/local/sqlite-event-store.js';
import { SqliteQueue } from '../adapters/local/sqlite-queue.js';
import { SqliteOperationalStore } from '../adapters/local/sqlite-operational-store.js';
import { SqliteReadModels } from '../adapters/local/sqlite-read-models.js';
import { OPERATIONAL_COLLECTIONS_IN_READ_MODELS } from '../app/rebuild-projections.js';
import { QUEUES } from '../ports/queue.js';
import { logger } from './logger.js';
import { newId } from './new-id.js';
import { lazy } from './lazy.js';

/**
 * The operational store of a data dir (operational.db). It takes over, once, what a
 * read-models.db of before it held: the dispatcher checkpoint, notifications, projection
 * failures and dead letters.
 */
export function localOperationalStore(dataDir: string): SqliteOperationalStore {
  return SqliteOperationalStore.open(join(dataDir, 'operational.db'), {
    file: join(dataDir, 'read-models.db'), collections: Object.keys(OPERATIONAL_COLLECTIONS_IN_READ_MODELS),
  });
}

/** The embedded adapters over one data dir (DESIGN §2); the log's checkpoints in `logAnchors` (default DATA/log-anchors). */
export function localDeps(dataDir: string, options: { logAnchors?: string; seedInbox?: string } = {}): AppDeps {
  const seedInboxPath = resolve(options.seedInbox ?? join(dataDir, 'seed-inbox'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const operational = localOperationalStore(dataDir);
  const readModels = SqliteReadModels.open(join(dataDir, 'read-models.db'));
  const ca = lazy(() => new FileCertificateAuthority(join(dataDir, 'pki')));
  return {
    events: SqliteEventStore.open(join(dataDir, 'events.db')),
    blobs: new FileBlobStore(join(dataDir, 'blobs')),
    queue: SqliteQueue.open(join(dataDir, 'queue.db'), QUEUES),
    readModels,
    operational,
    notifier: new LocalNotifier(operational, (line) => logger.info(line)),
    // Read on first use: tools that never sign (rebuild-projections, tests) need no CA.
    get ca() { return ca(); },
    clock: () => new Date(),
    newId,
    logAnchors: new FileBlobStore(options.logAnchors ?? join(dataDir, 'log-anchors')),
    seedInbox: new FileBlobStore(seedInboxPath),
    seedInboxPath,
  };
}

/**
 * ObjectLocks: keeps stored objects (packs, index parts) from being deleted or overwritten until
 * a date — S3 Object Lock on AWS (issue 11 item 4: the lock follows the RP's retention class).
 *
 * Guarantees every adapter gives (checked by objectLocksContract):
 * - extend(key, until) leaves the object locked until at least `until`: a lock already later is
 *   kept (never shortened), an earlier one is moved out to `until`. Idempotent.
 * - lockedUntil(key) is the date the object is locked until, or undefined (never locked).
 * - Both throw NotFoundError for a missing object, InvalidIdError for a key that is not a blob
 *   key (before any I/O).
 * - Deleting a locked object through the BlobStore still succeeds as the BlobStore promises
 *   (on S3 a delete marker: GC's view), but the locked bytes survive until the lock ends, so no
 *   operator or compromised function can destroy them before.
 *
 * The local runtime has no adapter: a file on a disk the operator owns cannot be locked against
 * the operator, and drcore does not pretend it can (AppDeps.objectLocks is absent there).
 */
export interface ObjectLocks {
  extend(key: string, until: Date): Promise<void>;
  lockedUntil(key: string): Promise<Date | undefined>;
}

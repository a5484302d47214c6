/**
 * The local gateway hands binary bodies over as bytes under this registered symbol, both
 * ways, sparing a base64 encode and decode of every pack and chunk. The events and
 * results stay API Gateway-shaped: `body` is still there (base64, computed only when
 * read), so a handler that ignores the symbol works unchanged — and on AWS, whose events
 * never carry it, handlers take `body` as usual.
 */
export const RAW_BODY = Symbol.for('drcore.rawBody');

export function rawOf(value: object): Buffer | undefined {
  const raw = (value as Record<symbol, unknown>)[RAW_BODY];
  return Buffer.isBuffer(raw) ? raw : undefined;
}

/** Gives `target` a lazily base64-encoded `body` and the raw bytes under RAW_BODY. */
export function attachRawBody<T extends object>(target: T, bytes: Buffer): T {
  let encoded: string | undefined;
  return Object.defineProperties(target, {
    body: {
      enumerable: true, configurable: true,
      get: () => (encoded ??= bytes.toString('base64')),
      set: (value: string | undefined) => { encoded = value; },
    },
    [RAW_BODY]: { enumerable: false, value: bytes },
  });
}

/**
 * DynamoDB's capacity arithmetic (on-demand), for the counting wrappers:
 * - item size: the UTF-8 bytes of every attribute name plus its value (a string: its UTF-8
 *   bytes; a number: about 1 byte per 2 significant digits, plus 1);
 * - a write: 1 write unit per 1 KB of item, rounded up; in a TransactWriteItems 2 per 1 KB;
 * - a strongly consistent read (every read of drcore's adapters is one): 1 read unit per
 *   4 KB, rounded up — for a Query the returned items summed first, for a GetItem or each
 *   item of a BatchGetItem the item alone; a read that finds nothing still costs 1 unit.
 */
export type SimpleItem = Readonly<Record<string, { readonly S?: string; readonly N?: string } | undefined>>;

export function numberBytes(n: string): number {
  const digits = n.replace(/^[-+]/, '').replace(/[.eE].*$/, '').replace(/^0+(?=\d)/, '').length;
  return Math.ceil(digits / 2) + 1;
}

export function itemBytes(item: SimpleItem): number {
  let bytes = 0;
  for (const [name, v] of Object.entries(item)) {
    if (!v) continue;
    bytes += Buffer.byteLength(name);
    if (v.S !== undefined) bytes += Buffer.byteLength(v.S);
    else if (v.N !== undefined) bytes += numberBytes(v.N);
  }
  return bytes;
}

export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;
/** TransactWriteItems costs twice a plain write per item. */
export const TRANSACTION_FACTOR = 2;

export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
export const readUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));

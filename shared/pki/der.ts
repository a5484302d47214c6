/**
 * A minimal, strict DER reader: enough to take a PKCS#10 request apart (csr.ts) and keep the
 * exact bytes of each part, which is what a signature covers. Definite minimal lengths,
 * low tag numbers only; anything else is a DerError. No recursion: callers descend.
 */
export class DerError extends Error {
  override readonly name = 'DerError';
}

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number), e.g. 0x30 for SEQUENCE. */
  readonly tag: number;
  /** The whole TLV. */
  readonly der: Buffer;
  /** The value octets. */
  readonly content: Buffer;
}

export const DER = { INTEGER: 0x02, BIT_STRING: 0x03, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30, SET: 0x31, CONTEXT_0: 0xa0 } as const;

function readNode(buf: Buffer, offset: number): DerNode {
  const tag = buf[offset];
  const first = buf[offset + 1];
  if (tag === undefined || first === undefined) throw new DerError('truncated');
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw new DerError('indefinite length');
    if (count > 4) throw new DerError('length too long');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = buf[offset + 2 + i];
      if (b === undefined) throw new DerError('truncated');
      if (i === 0 && b === 0) throw new DerError('non-minimal length');
      length = length * 256 + b;
    }
    if (length < 0x80) throw new DerError('non-minimal length');
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new DerError('truncated');
  return { tag, der: buf.subarray(offset, end), content: buf.subarray(offset + header, end) };
}

/** The one TLV that is all of `buf`. */
export function readDer(buf: Buffer): DerNode {
  const node = readNode(buf, 0);
  if (node.der.length !== buf.length) throw new DerError('trailing bytes');
  return node;
}

/** The TLVs inside a constructed node, in order, covering its content exactly. */
export function childrenOf(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0) throw new DerError('not a constructed value');
  const out: DerNode[] = [];
  for (let offset = 0; offset < node.content.length;) {
    const child = readNode(node.content, offset);
    out.push(child);
    offset += child.der.length;
  }
  return out;
}

/** Checks the tag; returns the node. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node === undefined || node.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}`);
  return node;
}

/** Dotted text of an OBJECT IDENTIFIER's content. */
export function oidText(content: Buffer): string {
  const first = content[0];
  if (first === undefined || (content[content.length - 1] ?? 0) & 0x80) throw new DerError('bad OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  for (const b of content) {
    if (value === 0 && b === 0x80) throw new DerError('bad OBJECT IDENTIFIER');
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OBJECT IDENTIFIER arc too large');
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const [head = 0, ...rest] = arcs;
  const top = head < 80 ? Math.floor(head / 40) : 2;
  return [top, head - 40 * top, ...rest].join('.');
}

/** The bytes of a BIT STRING with no unused bits (signatures, keys). */
export function bitStringBytes(node: DerNode): Buffer {
  expectTag(node, DER.BIT_STRING, 'BIT STRING');
  if (node.content[0] !== 0) throw new DerError('BIT STRING with unused bits');
  return node.content.subarray(1);
}

/**
 * Minimal DER reader (ITU-T X.690) for the two structures SAT hands out: the X.509 `.cer` and the
 * PKCS#8 `EncryptedPrivateKeyInfo` `.key`. Definite lengths only (DER forbids the others).
 */

export type DerNode = {
  /** Full identifier octet (class bits + constructed bit + tag number, low tag numbers only). */
  readonly tag: number;
  readonly constructed: boolean;
  /** Offset of the identifier octet in `bytes`. */
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
  readonly bytes: Uint8Array;
};

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export function readDer(bytes: Uint8Array, offset = 0, limit = bytes.length): DerNode {
  if (offset + 2 > limit) throw new DerError("truncated DER header");
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError("high tag numbers are not supported");
  let p = offset + 1;
  let len = bytes[p++] as number;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError("unsupported DER length");
    len = 0;
    for (let i = 0; i < n; i++) {
      if (p >= limit) throw new DerError("truncated DER length");
      len = len * 256 + (bytes[p++] as number);
    }
  }
  // Every length is checked against what remains of its container before anything trusts it.
  if (len > limit - p) throw new DerError("DER value runs past its container");
  return { tag, constructed: (tag & 0x20) !== 0, start: offset, contentStart: p, end: p + len, bytes };
}

export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let p = node.contentStart;
  while (p < node.end) {
    const c = readDer(node.bytes, p, node.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expect(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new DerError(`missing ${what}`);
  if (node.tag !== tag)
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  return node;
}

export function content(node: DerNode): Uint8Array {
  return node.bytes.subarray(node.contentStart, node.end);
}

/** The node's whole encoding (identifier + length + content). */
export function encoded(node: DerNode): Uint8Array {
  return node.bytes.subarray(node.start, node.end);
}

export function oid(node: DerNode): string {
  const b = content(expect(node, TAG.OID, "OBJECT IDENTIFIER"));
  if (b.length === 0) throw new DerError("empty OID");
  const first = b[0] as number;
  const parts: number[] = [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    const x = b[i] as number;
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

export function integerBytes(node: DerNode): Uint8Array {
  return content(expect(node, TAG.INTEGER, "INTEGER"));
}

export function smallInteger(node: DerNode): number {
  const b = integerBytes(node);
  if (b.length > 6) throw new DerError("INTEGER too large");
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

export function stringValue(node: DerNode): string {
  const b = content(node);
  switch (node.tag) {
    case TAG.UTF8_STRING:
      return utf8.decode(b);
    case TAG.BMP_STRING: {
      let s = "";
      for (let i = 0; i + 1 < b.length; i += 2)
        s += String.fromCharCode(((b[i] as number) << 8) | (b[i + 1] as number));
      return s;
    }
    default:
      return latin1.decode(b);
  }
}

/** UTCTime (YYMMDDHHMMSSZ, years 50–99 → 19xx per RFC 5280) or GeneralizedTime. */
export function timeValue(node: DerNode): Date {
  const s = latin1.decode(content(node));
  let m: RegExpExecArray | null;
  if (node.tag === TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s))) {
    const yy = Number(m[1]);
    return new Date(
      Date.UTC(
        yy >= 50 ? 1900 + yy : 2000 + yy,
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4]),
        Number(m[5]),
        Number(m[6] ?? 0),
      ),
    );
  }
  if (node.tag === TAG.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(s))) {
    return new Date(
      Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)),
    );
  }
  throw new DerError(`unsupported time value ${s}`);
}

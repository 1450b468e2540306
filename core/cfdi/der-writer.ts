/**
 * Minimal DER writer (ITU-T X.690), the counterpart of asn1.ts: enough to build an X.509
 * certificate for the sandbox PAC (issue 13), whose TimbreFiscalDigital the engine must verify
 * like a real one. Definite lengths, low tag numbers only.
 */
import { TAG } from "./asn1.ts";

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function length(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** A TLV with `tag` around `content`. */
export function tlv(tag: number, content: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat([Uint8Array.of(tag), length(content.length), content]);
}

export const sequence = (...items: Uint8Array[]) => tlv(TAG.SEQUENCE, concat(items));
export const set = (...items: Uint8Array[]) => tlv(TAG.SET, concat(items));
export const nullValue = () => tlv(TAG.NULL, new Uint8Array(0));
export const octetString = (bytes: Uint8Array) => tlv(TAG.OCTET_STRING, bytes);
export const utf8String = (text: string) => tlv(TAG.UTF8_STRING, new TextEncoder().encode(text));
/** [n] EXPLICIT, constructed context-specific. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);

/** A non-negative INTEGER from big-endian magnitude bytes (a leading 0 keeps it positive). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array<ArrayBuffer> {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const body = (trimmed[0] ?? 0) & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed;
  return tlv(TAG.INTEGER, body.length === 0 ? Uint8Array.of(0) : body);
}

export const smallInteger = (n: number) => unsignedInteger(Uint8Array.of(n));

export function objectIdentifier(dotted: string): Uint8Array<ArrayBuffer> {
  const arcs = dotted.split(".").map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isInteger(a) || a < 0)) throw new TypeError(`bad OID ${dotted}`);
  const out: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(out));
}

/** BIT STRING with no unused bits. */
export const bitString = (bytes: Uint8Array) => tlv(TAG.BIT_STRING, concat([Uint8Array.of(0), bytes]));

/** UTCTime (years 1950–2049, RFC 5280 §4.1.2.5.1), else GeneralizedTime: YYMMDDHHMMSSZ. */
export function time(date: Date): Uint8Array<ArrayBuffer> {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "");
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(TAG.UTC_TIME, new TextEncoder().encode(`${digits.slice(2)}Z`))
    : tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(`${digits}Z`));
}

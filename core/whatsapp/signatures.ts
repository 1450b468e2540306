// Webhook signature checks for the three WhatsApp providers, over exactly the bytes received.
//
// Every check decodes the header into the raw digest bytes and compares them with the digest we
// compute, both of fixed length (32 bytes for SHA-256, 20 for SHA-1), with constantTimeEqual: no
// early exit on the first differing byte, and the length is known before any secret-dependent work.
// Hex is decoded case-insensitively (so "AB" and "ab" verify alike): the comparison is of bytes,
// and upper case leaks nothing. Meta and 360dialog send lower case.

import { base64ToBytes, bytesToBase64 } from "../encoding/base64.ts";
import { constantTimeEqual, hexFromBytes } from "../encoding/digest.ts";
import { MAX_SIGNATURE_HEADER_CHARS } from "./limits.ts";

export type SignatureFailure = "missing" | "malformed" | "mismatch";
export type SignatureResult = { ok: true } | { ok: false; reason: SignatureFailure };

/** Twilio form parameters: a parsed form, or name → value(s). */
export type TwilioParams = URLSearchParams | Readonly<Record<string, string | readonly string[]>>;

const META_PREFIX = "sha256=";
const SHA256_BYTES = 32;
const SHA1_BYTES = 20;
const encoder = new TextEncoder();

/** Meta Cloud API: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(appSecret, body)>`. */
export async function verifyMetaSignature(
  appSecret: string,
  rawBody: Uint8Array,
  header: string | null | undefined,
): Promise<SignatureResult> {
  const pre = precheck(header);
  if (pre) return pre;
  if (!header!.startsWith(META_PREFIX)) return fail("malformed");
  return verifyHexHmacSha256(appSecret, rawBody, header!.slice(META_PREFIX.length));
}

/** 360dialog: `x-360dialog-signature: <hex HMAC-SHA256(webhookSecret, body)>`. */
export async function verify360dialogSignature(
  webhookSecret: string,
  rawBody: Uint8Array,
  header: string | null | undefined,
): Promise<SignatureResult> {
  return precheck(header) ?? verifyHexHmacSha256(webhookSecret, rawBody, header!);
}

/**
 * Twilio: `X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + sorted name/value pairs))`.
 * `url` is the URL configured in Twilio, query included. Like twilio-node's validateRequest, the
 * URL is also tried with its default port added and removed, because Twilio signs either form.
 */
export async function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioParams,
  header: string | null | undefined,
): Promise<SignatureResult> {
  const pre = precheck(header);
  if (pre) return pre;
  const received = decodeBase64(header!, SHA1_BYTES);
  if (!received) return fail("malformed");
  const data = twilioSignedParams(params);
  let match = false;
  for (const candidate of twilioUrlVariants(url)) {
    // Compare first, then OR: every variant is computed and compared whichever one matches.
    match = constantTimeEqual(received, await hmac("SHA-1", authToken, encoder.encode(candidate + data))) || match;
  }
  return match ? { ok: true } : fail("mismatch");
}

/** The signature Twilio would send, for tests and for replaying deliveries locally. */
export async function twilioSignature(authToken: string, url: string, params: TwilioParams): Promise<string> {
  return bytesToBase64(await hmac("SHA-1", authToken, encoder.encode(url + twilioSignedParams(params))));
}

/** Hex HMAC-SHA256 as Meta and 360dialog send it, for tests and local replays. */
export async function hexHmacSha256(secret: string, body: Uint8Array): Promise<string> {
  return hexFromBytes(await hmac("SHA-256", secret, body));
}

/**
 * Names sorted (UTF-16 order, as JavaScript's sort and twilio-node), each followed by its value;
 * a repeated name contributes each distinct value once, values sorted — twilio-node's
 * toFormUrlEncodedParam. Empty values contribute just the name.
 */
function twilioSignedParams(params: TwilioParams): string {
  const grouped = new Map<string, string[]>();
  const add = (name: string, value: string) => {
    const list = grouped.get(name);
    if (list) list.push(value);
    else grouped.set(name, [value]);
  };
  if (params instanceof URLSearchParams) for (const [name, value] of params) add(name, value);
  else
    for (const [name, value] of Object.entries(params))
      for (const v of typeof value === "string" ? [value] : value) add(name, v);
  let data = "";
  for (const name of [...grouped.keys()].sort()) {
    const values = grouped.get(name)!;
    const distinct = values.length === 1 ? values : [...new Set(values)].sort();
    for (const value of distinct) data += name + value;
  }
  return data;
}

function twilioUrlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const withoutPort = new URL(parsed);
  withoutPort.port = "";
  const variants = new Set([url, withoutPort.toString()]);
  if (!parsed.port) {
    const port = parsed.protocol === "https:" ? "443" : "80";
    const auth = parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ""}@` : "";
    variants.add(`${parsed.protocol}//${auth}${parsed.host}:${port}${parsed.pathname}${parsed.search}${parsed.hash}`);
  }
  return [...variants];
}

async function verifyHexHmacSha256(secret: string, body: Uint8Array, hex: string): Promise<SignatureResult> {
  const received = decodeHex(hex, SHA256_BYTES);
  if (!received) return fail("malformed");
  return constantTimeEqual(received, await hmac("SHA-256", secret, body)) ? { ok: true } : fail("mismatch");
}

function precheck(header: string | null | undefined): SignatureResult | undefined {
  if (header === null || header === undefined || header === "") return fail("missing");
  if (header.length > MAX_SIGNATURE_HEADER_CHARS) return fail("malformed");
  return undefined;
}

// Imported keys by (hash, secret): importKey cost about as much as the HMAC of a whole delivery
// (bench:whatsapp). Only finished keys are kept, never promises (in workerd a promise made by one
// request may never settle for another), bounded like the channel cache they mirror.
const KEY_CACHE_MAX = 1_000;
const keys = new Map<string, CryptoKey>();

async function hmacKey(hash: "SHA-256" | "SHA-1", secret: string): Promise<CryptoKey> {
  const name = `${hash}\u0000${secret}`;
  const hit = keys.get(name);
  if (hit) return hit;
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
  if (keys.size >= KEY_CACHE_MAX) keys.delete(keys.keys().next().value as string);
  keys.set(name, key);
  return key;
}

async function hmac(hash: "SHA-256" | "SHA-1", secret: string, data: Uint8Array): Promise<Uint8Array> {
  // An empty key would make every signature forgeable; that is a deployment mistake, so it throws.
  if (secret === "") throw new Error("webhook secret is empty");
  const key = await hmacKey(hash, secret);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data as Uint8Array<ArrayBuffer>));
}

/** Exactly `bytes` bytes of hex, either case, or undefined. */
function decodeHex(hex: string, bytes: number): Uint8Array | undefined {
  if (hex.length !== bytes * 2) return undefined;
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    const hi = hexValue(hex.charCodeAt(2 * i));
    const lo = hexValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87; // a-f, A-F
  return -1;
}

/** Standard padded base64 of exactly `bytes` bytes, or undefined. */
function decodeBase64(text: string, bytes: number): Uint8Array | undefined {
  // Checked first: base64ToBytes tolerates whitespace (certificates), a signature header may not.
  if (text.length !== Math.ceil(bytes / 3) * 4 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  let out: Uint8Array;
  try {
    out = base64ToBytes(text);
  } catch {
    return undefined;
  }
  return out.length === bytes ? out : undefined;
}

function fail(reason: SignatureFailure): SignatureResult {
  return { ok: false, reason };
}

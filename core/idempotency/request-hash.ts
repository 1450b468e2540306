/**
 * The fingerprint an `Idempotency-Key` is stored with: same key + same request → replay the stored
 * response; same key + different fingerprint → 422.
 *
 * SHA-256 (hex) over the method (upper-case), the path and the body. A body that parses as JSON is
 * hashed in canonical form — object keys sorted recursively by UTF-16 code units, no insignificant
 * whitespace, strings and numbers serialised as ECMAScript `JSON.stringify` does (the scheme of
 * RFC 8785, JCS) — so a client that re-sends the same object with other key order or spacing gets
 * its original response. Array order is significant. Any other body is hashed as its raw text.
 *
 * Numbers are compared by value after parsing (1.0 ≡ 1 ≡ 1e0), which also means integers beyond
 * 2^53 that round to the same double are not told apart; the API sends money and quantities as
 * decimal strings, which are compared exactly.
 */
import { sha256Hex } from "../encoding/digest.ts";

const MAX_DEPTH = 512;

class TooDeep extends Error {}

function canonical(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TooDeep();
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(",")}]`;
  const obj = value as Record<string, unknown>;
  // Written out directly: never rebuilding an object, so a "__proto__" key stays a plain key.
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k], depth + 1)}`).join(",")}}`;
}

/** The canonical JSON text of `body`, or undefined when it is not JSON (or absurdly nested). */
export function canonicalJson(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  try {
    return canonical(parsed, 0);
  } catch (e) {
    if (e instanceof TooDeep || e instanceof RangeError) return undefined;
    throw e;
  }
}

export async function requestHash(method: string, path: string, body: string): Promise<string> {
  const json = canonicalJson(body);
  // A JSON array keeps the three parts unambiguous (a path cannot run into the body).
  const preimage = JSON.stringify([method.toUpperCase(), path, json === undefined ? "text" : "json", json ?? body]);
  return sha256Hex(preimage);
}

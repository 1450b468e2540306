// Bounded readers over untrusted JSON and form values, shared by the payload parsers.

import {
  MAX_BODY_BYTES,
  MAX_ID_CHARS,
  MAX_RAW_JSON_CHARS,
  MAX_RAW_JSON_DEPTH,
  MAX_SHORT_TEXT_CHARS,
  MAX_SKIPPED_REPORTED,
  MAX_TEXT_CHARS,
} from "./limits.ts";
import type { NormalizedDelivery, PayloadErrorCode, Skipped } from "./events.ts";

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty id no longer than MAX_ID_CHARS. Numbers are accepted (some relays send them). */
export function readId(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== "string" || value === "" || value.length > MAX_ID_CHARS) return undefined;
  return value;
}

export function readShort(value: unknown): string | undefined {
  return typeof value === "string" ? cut(value, MAX_SHORT_TEXT_CHARS).text : undefined;
}

export function readText(value: unknown): { text: string; truncated: boolean } | undefined {
  return typeof value === "string" ? cut(value, MAX_TEXT_CHARS) : undefined;
}

export function readNumber(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** Unix seconds (string or number, as Meta sends them) → milliseconds. */
export function readSeconds(value: unknown): number | undefined {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^\d{1,11}$/.test(text)) return undefined;
  return Number(text) * 1000;
}

/** Cuts at a code-unit limit without splitting a surrogate pair. */
function cut(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return { text: text.slice(0, end), truncated: true };
}

/**
 * JSON of an untrusted value, bounded in size and depth so a hostile message (a megabyte of nested
 * arrays) costs at most MAX_RAW_JSON_CHARS of work: deeper values become "…", and the output
 * stops once the budget is spent (truncated: a prefix, no longer valid JSON).
 */
export function boundedJson(value: unknown): { raw: string; truncated: boolean } {
  const parts: string[] = [];
  let used = 0;
  const push = (s: string): boolean => {
    parts.push(s);
    used += s.length;
    return used <= MAX_RAW_JSON_CHARS;
  };
  const walk = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v === "number" || typeof v === "boolean" || typeof v === "string")
      return push(JSON.stringify(typeof v === "string" ? v.slice(0, MAX_RAW_JSON_CHARS) : v));
    if (depth >= MAX_RAW_JSON_DEPTH) return push('"…"');
    if (Array.isArray(v)) {
      if (!push("[")) return false;
      for (let i = 0; i < v.length; i++) if ((i > 0 && !push(",")) || !walk(v[i], depth + 1)) return false;
      return push("]");
    }
    if (isObject(v)) {
      if (!push("{")) return false;
      let first = true;
      for (const key in v) {
        if ((!first && !push(",")) || !push(JSON.stringify(key.slice(0, MAX_SHORT_TEXT_CHARS)) + ":")) return false;
        if (!walk(v[key], depth + 1)) return false;
        first = false;
      }
      return push("}");
    }
    return push("null");
  };
  const complete = walk(value, 0);
  const raw = parts.join("");
  return complete ? { raw, truncated: false } : { raw: raw.slice(0, MAX_RAW_JSON_CHARS), truncated: true };
}

/** Decodes a body within MAX_BODY_BYTES-style limits; invalid UTF-8 is an error, not U+FFFD. */
export function readBodyText(
  body: Uint8Array | string,
  maxBytes: number = MAX_BODY_BYTES,
): { ok: true; text: string } | { ok: false; error: PayloadErrorCode; message: string } {
  if (typeof body === "string") {
    // UTF-8 never takes fewer bytes than UTF-16 code units, so only long strings need encoding.
    if (body.length > maxBytes || (body.length * 3 > maxBytes && new TextEncoder().encode(body).length > maxBytes))
      return { ok: false, error: "too_large", message: `body over ${maxBytes} bytes` };
    return { ok: true, text: body };
  }
  if (body.byteLength > maxBytes) return { ok: false, error: "too_large", message: `body over ${maxBytes} bytes` };
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(body) };
  } catch {
    return { ok: false, error: "invalid_encoding", message: "body is not UTF-8" };
  }
}

/** Collects normalized events and a bounded list of what was left out. */
export class DeliveryBuilder {
  readonly delivery: NormalizedDelivery = {
    phoneNumberIds: [],
    contacts: [],
    messages: [],
    statuses: [],
    skipped: [],
    skippedCount: 0,
  };

  skip(path: string, reason: string): void {
    this.delivery.skippedCount++;
    if (this.delivery.skipped.length < MAX_SKIPPED_REPORTED)
      this.delivery.skipped.push({ path, reason } satisfies Skipped);
  }

  private readonly seenPhoneNumberIds = new Set<string>();

  addPhoneNumberId(id: string): void {
    if (this.seenPhoneNumberIds.has(id)) return;
    this.seenPhoneNumberIds.add(id);
    this.delivery.phoneNumberIds.push(id);
  }

  get eventCount(): number {
    return this.delivery.messages.length + this.delivery.statuses.length;
  }
}

/**
 * Opaque keyset cursors for list endpoints: the position of the last row of a page (its sort value
 * and id) as base64url(JSON). Not signed — a client that edits a cursor only moves its own window
 * inside its own tenant (RLS still applies) — but every decoded field is validated, so a malformed
 * or edited cursor is a clean 400, never a SQL cast error.
 *
 * Wire form: base64url without padding of `[1, sort, direction, value, id]` (1 = format version).
 * Decoding accepts only the canonical encoding (re-encoding must give the same text), so each
 * position has exactly one cursor.
 *
 * Values: `created` / `updated` carry the timestamp text (ISO 8601 / RFC 3339, up to microseconds
 * — pass Postgres' full precision, or rows sharing a millisecond can be skipped or repeated);
 * `score` a finite number; any of them may be null (rows in the NULLS LAST tail). Ids are UUIDs.
 */
import { base64UrlFromText, textFromBase64Url } from "../encoding/base64url.ts";

export type SortField = "created" | "updated" | "occurred" | "score";

export interface CursorPosition {
  sort: SortField;
  direction: "asc" | "desc";
  value: string | number | null;
  id: string;
}

const VERSION = 1;
/** Longest cursor text accepted (the list query schema allows 512). */
export const MAX_CURSOR_LENGTH = 512;

const SORT_FIELDS: readonly SortField[] = ["created", "updated", "occurred", "score"];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

function validTimestamp(text: string): boolean {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (h > 23 || mi > 59 || s > 59 || y < 1000) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function validPosition(p: unknown): p is CursorPosition {
  if (typeof p !== "object" || p === null) return false;
  const { sort, direction, value, id } = p as Record<string, unknown>;
  if (!SORT_FIELDS.includes(sort as SortField)) return false;
  if (direction !== "asc" && direction !== "desc") return false;
  if (typeof id !== "string" || !UUID_RE.test(id)) return false;
  if (value === null) return true;
  if (sort === "score") return typeof value === "number" && Number.isFinite(value);
  return typeof value === "string" && validTimestamp(value);
}

/** Throws TypeError for a position that `decodeCursor` would not accept (a programming error). */
export function encodeCursor(p: CursorPosition): string {
  if (!validPosition(p)) throw new TypeError(`invalid cursor position: ${JSON.stringify(p)}`);
  // -0 would encode as 0 and change the canonical text; they compare equal anyway.
  const value = typeof p.value === "number" && Object.is(p.value, -0) ? 0 : p.value;
  return base64UrlFromText(JSON.stringify([VERSION, p.sort, p.direction, value, p.id]));
}

/** The position in `s`, or null when `s` is not a cursor made by `encodeCursor`. */
export function decodeCursor(s: string): CursorPosition | null {
  if (typeof s !== "string" || s.length === 0 || s.length > MAX_CURSOR_LENGTH) return null;
  const json = textFromBase64Url(s);
  if (json === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== VERSION) return null;
  const [, sort, direction, value, id] = parsed as unknown[];
  const position = { sort, direction, value, id };
  if (!validPosition(position)) return null;
  return encodeCursor(position) === s ? position : null;
}

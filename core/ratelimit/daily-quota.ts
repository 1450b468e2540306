// Daily quotas counted per tenant-local calendar day: the count resets at local midnight in the
// tenant's IANA time zone (America/Mexico_City by default). Uses Intl only, so it runs in Node and
// workerd alike.
import { DEFAULT_TIME_ZONE } from "./policies.ts";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** An unknown zone (free text in `tenants.timezone`) falls back to the default instead of failing. */
export function safeTimeZone(timeZone: string | null | undefined): string {
  return timeZone && isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wall(at: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The tenant-local calendar day of `at`, as YYYY-MM-DD. */
export function localDay(at: number, timeZone: string): string {
  const w = wall(at, timeZone);
  return `${String(w.year).padStart(4, "0")}-${String(w.month).padStart(2, "0")}-${String(w.day).padStart(2, "0")}`;
}

/** The zone's offset from UTC at `at`, in ms (wall clock minus UTC), to the second. */
function offsetMs(at: number, timeZone: string): number {
  const w = wall(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * The first instant of the next local day after `at`: local midnight, or, in a zone whose clocks
 * skip midnight (a DST change at 00:00), the first instant that exists on the new day.
 */
export function nextLocalMidnight(at: number, timeZone: string): number {
  const today = localDay(at, timeZone);
  const w = wall(at, timeZone);
  const midnightAsUtc = Date.UTC(w.year, w.month - 1, w.day + 1, 0, 0, 0);
  // Two passes settle the offset at the target instant (it may differ from the offset now).
  let guess = midnightAsUtc - offsetMs(at, timeZone);
  guess = midnightAsUtc - offsetMs(guess, timeZone);
  if (guess > at && localDay(guess, timeZone) !== today && localDay(guess - 1, timeZone) === today) return guess;
  // Irregular transition: search for the first instant whose local day differs from today.
  let lo = at;
  let hi = at + 49 * 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(mid, timeZone) === today) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface DailyUsage {
  /** The local day this count belongs to (YYYY-MM-DD). */
  day: string;
  used: number;
}

export interface QuotaDecision {
  allowed: boolean;
  limit: number;
  /** Units left today after this decision. */
  remaining: number;
  /** When the count resets (next local midnight), ms since epoch. */
  resetAt: number;
  usage: DailyUsage;
}

/**
 * Consumes `n` units all-or-nothing: allowed iff today's count plus `n` stays within `limit`.
 * A count from an earlier local day starts over at 0.
 */
export function consumeDaily(
  usage: DailyUsage | undefined,
  opts: { limit: number; timeZone: string },
  now: number,
  n: number,
): QuotaDecision {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`quota units must be a non-negative integer, got ${n}`);
  const timeZone = safeTimeZone(opts.timeZone);
  const day = localDay(now, timeZone);
  const used = usage && usage.day === day ? usage.used : 0;
  const allowed = used + n <= opts.limit;
  const next: DailyUsage = { day, used: allowed ? used + n : used };
  return {
    allowed,
    limit: opts.limit,
    remaining: Math.max(0, opts.limit - next.used),
    resetAt: nextLocalMidnight(now, timeZone),
    usage: next,
  };
}

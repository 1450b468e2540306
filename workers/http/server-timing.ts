// Where a request's time goes: auth (JWT verify), limit (rate-limiter decisions), db (database
// round trips) and the rest (`app`), in the request's log line and, outside production, in a
// `Server-Timing` response header (W3C Server Timing) that a browser's devtools or a load
// generator can read per response.
//
// About the clock (checked under `wrangler dev` with this repository's workerd): locally,
// `performance.now()` advances while JavaScript runs too (a 30M-iteration loop read 46 ms), but only
// in whole milliseconds, so one sample of a sub-millisecond segment reads 0 or 1 (200 ECDSA verifies
// read 14 ms, one read 0); averages over many requests are still fair. Deployed on Cloudflare the
// clock does not move while JavaScript runs, only when I/O completes (a Spectre mitigation): there a
// CPU-only segment reads 0 — `auth` once the JWKS is cached — and its CPU time is counted in the
// next segment that waits on I/O (the limiter's, usually) or in `app`.
import type { Context } from "hono";
import type { HonoEnv } from "../context.ts";

export type TimingName = "auth" | "limit" | "db";

/** What one request has spent so far, in ms, per named segment. */
export type Timings = Record<TimingName, number>;

export interface TimingSummary extends Timings {
  /** total − auth − limit − db, never negative. */
  app: number;
  total: number;
}

export function newTimings(): Timings {
  return { auth: 0, limit: 0, db: 0 };
}

/** For code that holds a `Timings` but no Hono context. */
export function addTiming(timings: Timings, name: TimingName, ms: number): void {
  if (Number.isFinite(ms) && ms > 0) timings[name] += ms;
}

/**
 * Adds `ms` to the request's `name` segment (a request may make several limiter decisions or
 * database round trips). A no-op outside a request that went through `requestContext`.
 */
export function recordTiming(c: Context<HonoEnv>, name: TimingName, ms: number): void {
  const timings = c.get("timings") as Timings | undefined;
  if (timings) addTiming(timings, name, ms);
}

/** `recordTiming` around `work`, also when it throws. */
export async function timed<T>(c: Context<HonoEnv>, name: TimingName, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    recordTiming(c, name, performance.now() - started);
  }
}

/** The callback the database layer takes to report each round trip. */
export function dbTimer(c: Context<HonoEnv>): (ms: number) => void {
  return (ms) => recordTiming(c, "db", ms);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function summarize(timings: Timings, totalMs: number): TimingSummary {
  const total = round(totalMs);
  const auth = round(timings.auth);
  const limit = round(timings.limit);
  const db = round(timings.db);
  return { auth, limit, db, app: round(Math.max(0, totalMs - timings.auth - timings.limit - timings.db)), total };
}

export function serverTimingHeader(s: TimingSummary): string {
  return [
    `auth;dur=${s.auth};desc="JWT verify"`,
    `limit;dur=${s.limit};desc="rate limiter"`,
    `db;dur=${s.db};desc="database"`,
    `app;dur=${s.app}`,
    `total;dur=${s.total}`,
  ].join(", ");
}

/** `Server-Timing` → { name: dur } (what a client sees; used by the tests and the benchmark). */
export function parseServerTiming(header: string | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const metric of (header ?? "").split(",")) {
    const [name, ...params] = metric.split(";").map((p) => p.trim());
    if (!name) continue;
    const dur = params.find((p) => p.startsWith("dur="));
    out[name] = dur ? Number(dur.slice(4)) : 0;
  }
  return out;
}

// Per-user request limiter: a token bucket AND an exact sliding-window log, both must agree.
//
// Why both. The seed's contract is "N per minute, burst B": a user may spend up to B at once and
// no more than N in any minute. A token bucket alone (capacity B, refilled at N/60 per second)
// admits B + N·T/60 in any interval of T seconds, i.e. up to B + N in one minute (120 for the free
// plan's 100/20). A bucket refilled slower, at (N − B)/60 per second, would cap every minute at N
// but then the sustained rate is N − B, not N. A sliding *counter* (two fixed windows, weighted)
// is an approximation that can overshoot. So: the bucket shapes bursts, and a log of grants in the
// last window caps every window exactly.
//
// Guarantee (with a single clock, which the per-tenant Durable Object provides):
//   1. over any interval of length T ms, granted units ≤ B + floor(N·T / W)      (the bucket);
//   2. over any half-open window (t − W, t], granted units ≤ N                   (the log);
//   3. at most B units are granted at one instant (T = 0 in 1);
//   4. a client that never exceeds the limits is never denied, and sustained throughput is N per W
//      (the log never denies more than it must: a grant leaves it exactly W ms later).
// A denied request consumes nothing. Memory per key: one state row plus one log entry per distinct
// millisecond with grants in the last window (≤ N entries, usually far fewer).
//
// Integer arithmetic only: tokens are kept scaled by W (one token = W units, refill = N units per
// ms), so refills are exact and there is no floating-point drift over long runs.

export interface RatePolicy {
  /** N: units allowed in any window. */
  limit: number;
  /** B: units that may be spent at once (bucket capacity), 1 ≤ B ≤ N. */
  burst: number;
  /** W in seconds (60 for "per minute"). */
  windowSeconds: number;
}

export interface LimiterState {
  /** Tokens × W ms (integer). */
  scaledTokens: number;
  /** When scaledTokens was last brought up to date (ms since epoch). */
  refilledAt: number;
  /** Units granted and still in the log (i.e. inside the current window). */
  windowCount: number;
  /** Units ever granted to this key: grant entries carry the running total, see GrantLog.atCumulative. */
  granted: number;
}

/** The grants of one key in the last window, oldest first; storage is the caller's (memory, SQLite). */
export interface GrantLog {
  /** Removes grants made at or before `cutoff` and returns how many units they held. */
  expire(cutoff: number): number;
  /** Records `units` granted at `at`; `cumulative` is the key's running total after this grant. */
  add(at: number, units: number, cumulative: number): void;
  /** When the first grant whose running total reaches `cumulative` was made (undefined if none). */
  atCumulative(cumulative: number): number | undefined;
  /**
   * Takes back up to `units` of the grants made at `at` (a returned, unused lease) and lowers the
   * running totals after it; returns how many units were taken back (0 when `at` is not in the log).
   */
  refund(at: number, units: number): number;
}

export interface Decision {
  allowed: boolean;
  limit: number;
  /** Units the key could spend right now (after this decision). */
  remaining: number;
  /** ms until the full burst is available again (bucket full and room for B in the window). */
  resetMs: number;
  /** ms until this request would be allowed; 0 when allowed. */
  retryAfterMs: number;
}

export function windowMs(policy: RatePolicy): number {
  return policy.windowSeconds * 1000;
}

export function checkPolicy(policy: RatePolicy): void {
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 1;
  if (!ok(policy.limit) || !ok(policy.burst) || !ok(policy.windowSeconds) || policy.burst > policy.limit) {
    throw new RangeError(
      `invalid rate policy ${JSON.stringify(policy)} (need integers 1 ≤ burst ≤ limit, window ≥ 1 s)`,
    );
  }
}

export function initialState(policy: RatePolicy, now: number): LimiterState {
  return { scaledTokens: policy.burst * windowMs(policy), refilledAt: now, windowCount: 0, granted: 0 };
}

/**
 * Decides one request of `cost` units at `now`, updating `state` in place and `log` through its
 * methods. Synchronous by design: the caller must not interleave other decisions for the same key
 * between reading the state and writing it back (the Durable Object runs this without awaiting).
 */
export function decide(policy: RatePolicy, state: LimiterState, log: GrantLog, now: number, cost = 1): Decision {
  checkPolicy(policy);
  if (!Number.isSafeInteger(cost) || cost < 1 || cost > policy.burst) {
    throw new RangeError(`cost ${cost} must be an integer between 1 and the burst (${policy.burst})`);
  }
  const w = windowMs(policy);
  now = advance(policy, state, log, now);

  const bucketOk = state.scaledTokens >= cost * w;
  const windowOk = state.windowCount + cost <= policy.limit;
  let retryAfterMs = 0;
  if (bucketOk && windowOk) {
    state.scaledTokens -= cost * w;
    state.windowCount += cost;
    state.granted += cost;
    log.add(now, cost, state.granted);
  } else {
    retryAfterMs = Math.max(
      bucketOk ? 0 : Math.ceil((cost * w - state.scaledTokens) / policy.limit),
      windowWait(state, log, now, w, state.windowCount + cost - policy.limit),
    );
  }
  return { ...figures(policy, state, log, now), allowed: retryAfterMs === 0, retryAfterMs };
}

/** What the key could spend now, and when its full burst is back (state already brought up to `now`). */
function figures(
  policy: RatePolicy,
  state: LimiterState,
  log: GrantLog,
  now: number,
): Pick<Decision, "limit" | "remaining" | "resetMs"> {
  const w = windowMs(policy);
  const remaining = Math.max(0, Math.min(Math.floor(state.scaledTokens / w), policy.limit - state.windowCount));
  const resetMs = Math.max(
    Math.ceil((policy.burst * w - state.scaledTokens) / policy.limit),
    windowWait(state, log, now, w, state.windowCount - (policy.limit - policy.burst)),
  );
  return { limit: policy.limit, remaining, resetMs };
}

/** Brings the state up to `now` and returns the instant it now stands at. */
function advance(policy: RatePolicy, state: LimiterState, log: GrantLog, now: number): number {
  const w = windowMs(policy);
  // Time never goes backwards for a key (a clock step back refills nothing and keeps the log ordered).
  now = Math.max(now, state.refilledAt);
  // Refill and clamp to the capacity, which also applies a lowered burst (plan downgrade) at once.
  state.scaledTokens = Math.min(policy.burst * w, state.scaledTokens + (now - state.refilledAt) * policy.limit);
  state.refilledAt = now;
  // Grants at or before now − W have left the window (t − W, t].
  state.windowCount -= log.expire(now - w);
  return now;
}

/**
 * The key's figures at `now` without granting anything (the state is brought up to `now`): a grant
 * of up to `remaining` units would be allowed.
 */
export function peek(policy: RatePolicy, state: LimiterState, log: GrantLog, now: number): Decision {
  checkPolicy(policy);
  now = advance(policy, state, log, now);
  return { ...figures(policy, state, log, now), allowed: true, retryAfterMs: 0 };
}

/**
 * Undoes `units` of a grant made at `at` that were never used (a lease returned early): the tokens
 * go back into the bucket (up to its capacity) and the units leave the window's log, so the key is
 * charged only for what it spent. Returns the units taken back from the log.
 */
export function refund(policy: RatePolicy, state: LimiterState, log: GrantLog, at: number, units: number): number {
  if (!Number.isSafeInteger(units) || units < 1) return 0;
  const w = windowMs(policy);
  const removed = log.refund(at, units);
  if (removed === 0) return 0;
  state.windowCount -= removed;
  state.granted -= removed;
  state.scaledTokens = Math.min(policy.burst * w, state.scaledTokens + removed * w);
  return removed;
}

/** ms until `units` of the window's oldest grants have expired (0 when units ≤ 0). */
function windowWait(state: LimiterState, log: GrantLog, now: number, w: number, units: number): number {
  if (units <= 0) return 0;
  const at = log.atCumulative(state.granted - state.windowCount + units);
  // The log always holds windowCount units, so this is only reached with an inconsistent store;
  // waiting a whole window is the safe answer.
  if (at === undefined) return w;
  return Math.max(1, at + w - now);
}

/** A GrantLog in memory (tests, benchmarks, and any single-process use). */
export class MemoryGrantLog implements GrantLog {
  private entries: { at: number; units: number; cumulative: number }[] = [];
  private head = 0;

  expire(cutoff: number): number {
    let removed = 0;
    while (this.head < this.entries.length && this.entries[this.head]!.at <= cutoff) {
      removed += this.entries[this.head]!.units;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return removed;
  }

  add(at: number, units: number, cumulative: number): void {
    const last = this.entries[this.entries.length - 1];
    if (last && this.entries.length > this.head && last.at === at) {
      last.units += units;
      last.cumulative = cumulative;
    } else {
      this.entries.push({ at, units, cumulative });
    }
  }

  atCumulative(cumulative: number): number | undefined {
    // Running totals increase with time: binary search.
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.cumulative >= cumulative) hi = mid;
      else lo = mid + 1;
    }
    return this.entries[lo]?.at;
  }

  refund(at: number, units: number): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.at >= at) hi = mid;
      else lo = mid + 1;
    }
    const entry = this.entries[lo];
    if (!entry || entry.at !== at) return 0;
    const removed = Math.min(units, entry.units);
    entry.units -= removed;
    for (let i = lo; i < this.entries.length; i++) this.entries[i]!.cumulative -= removed;
    return removed;
  }

  /** Entries made at or after `at`, oldest first (for write-behind persistence). */
  *since(at: number): Iterable<{ at: number; units: number; cumulative: number }> {
    let i = this.entries.length;
    while (i > this.head && this.entries[i - 1]!.at >= at) i--;
    for (; i < this.entries.length; i++) yield this.entries[i]!;
  }

  /** When the newest entry was made. */
  get newest(): number | undefined {
    return this.entries.length > this.head ? this.entries[this.entries.length - 1]!.at : undefined;
  }

  get size(): number {
    return this.entries.length - this.head;
  }
}

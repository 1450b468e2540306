// Leases: the limiter's owner (one Durable Object per tenant or IP) hands an isolate a slice of a
// key's tokens, so that the isolate decides the next requests locally instead of paying a round
// trip to the object for each one. This module is the owner's side; lease-cache.ts is the isolate's.
//
// A lease is an ordinary grant (bucket and sliding-window log, token-window.ts) made at the
// instant it is handed out, so everything the limiter guarantees about grants still holds at the
// object. What changes is WHEN a leased token is spent: up to the lease's life (LEASE_TTL_MS)
// later. To keep that
// bounded, the object never lets a key's open leases hold more than `leaseCap(policy)` unspent
// tokens (C). Hence, for usage as the isolates see it:
//   - in any window of W, spent ≤ N + C  (tokens leased before the window and spent in it ≤ C);
//   - at one instant, spent ≤ B + C;
//   - a key with nothing leased (a new user, or one idle for LEASE_TTL_MS) gets exactly B at once.
// A holder returns what it did not spend when it renews (or when its lease ends early); returned
// tokens go back into the bucket and leave the window's log. A lease whose holder never reports
// back (the isolate was evicted) counts as spent when it expires: at worst C tokens are charged
// that were never used.
import {
  decide,
  peek,
  refund,
  type Decision,
  type GrantLog,
  type LimiterState,
  type RatePolicy,
} from "./token-window.ts";

/**
 * How long a holder may spend a lease of a user's tokens: short enough that a plan change reaches
 * every isolate within seconds. (The bound above does not depend on it.)
 */
export const LEASE_TTL_MS = 10_000;
/**
 * The same for keys whose policy never changes (per IP, per link): longer, so that a client that
 * sends a request every few seconds costs its limiter object one call per lease, not per request.
 */
export const KEY_LEASE_TTL_MS = 30_000;

/** C: the most unspent tokens a key's open leases may hold, across all holders. */
export function leaseCap(policy: RatePolicy): number {
  return Math.max(1, Math.floor(policy.burst / 4));
}

/** A lease as its owner keeps it. */
export interface OpenLease {
  units: number;
  /** When it was granted: the log entry a return is taken back from. */
  at: number;
  expiresAt: number;
}

/** What a holder reports about a lease it no longer uses. */
export interface LeaseReturn {
  id: string;
  /** Tokens of it never spent (0 for a lease used up). */
  unused: number;
}

export interface AcquireRequest {
  /** 1: this request needs a token now; 0: a renewal ahead of need. */
  take: 0 | 1;
  /** Tokens wanted for later (the lease); the owner may grant fewer, or none. */
  want: number;
  /** Leases the holder is done with. */
  returns: readonly LeaseReturn[];
}

export interface AcquireOutcome {
  /** The request's own token (always true for a renewal). */
  allowed: boolean;
  limit: number;
  /** What the owner could still grant after this (not counting any lease's tokens). */
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
  /** The lease granted with it, if any. */
  lease?: { id: string; units: number; ttlMs: number };
  /** The earliest grant a return took units back from (its log entries changed from there on). */
  refundedFrom?: number;
}

/**
 * One key's open leases. Ids are unique across restarts of the owner (`prefix` is random per
 * instance), so a late return can never close another holder's lease.
 */
export class LeaseBook {
  private readonly open = new Map<string, OpenLease>();
  private nextId = 1;
  private readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Unspent tokens the key's open leases may still hold (expired leases count as spent). */
  outstanding(now: number): number {
    let units = 0;
    for (const [id, lease] of this.open) {
      if (lease.expiresAt <= now) this.open.delete(id);
      else units += lease.units;
    }
    return units;
  }

  add(lease: OpenLease): string {
    const id = `${this.prefix}.${this.nextId++}`;
    this.open.set(id, lease);
    return id;
  }

  /** Closes a lease; returns it while it is still open (so its unused tokens can be refunded). */
  close(id: string, now: number): OpenLease | undefined {
    const lease = this.open.get(id);
    this.open.delete(id);
    return lease && lease.expiresAt > now ? lease : undefined;
  }
}

/**
 * One acquire at the owner: take back what the holder returns, decide the request's own token,
 * then lease what the key can spare. Synchronous, like `decide`: the owner runs it without
 * awaiting, so acquires of one key never interleave.
 */
export function acquire(
  policy: RatePolicy,
  state: LimiterState,
  log: GrantLog,
  book: LeaseBook,
  now: number,
  request: AcquireRequest,
  ttlMs = LEASE_TTL_MS,
): AcquireOutcome {
  let refundedFrom: number | undefined;
  for (const r of request.returns) {
    const lease = book.close(r.id, now);
    if (lease && refund(policy, state, log, lease.at, Math.min(r.unused, lease.units)) > 0) {
      refundedFrom = Math.min(refundedFrom ?? lease.at, lease.at);
    }
  }
  const refunded = refundedFrom === undefined ? {} : { refundedFrom };
  let own: Decision | undefined;
  if (request.take === 1) {
    own = decide(policy, state, log, now, 1);
    if (!own.allowed) return { ...own, ...refunded };
  }
  const cap = leaseCap(policy);
  const units = Math.min(
    Math.max(0, Math.floor(request.want)),
    cap - book.outstanding(now),
    peek(policy, state, log, now).remaining,
  );
  let lease: AcquireOutcome["lease"];
  let last = own;
  if (units > 0) {
    last = decide(policy, state, log, now, units);
    // `peek` said these units fit; a denial here would be a bug in the arithmetic above.
    if (last.allowed) {
      // The grant's instant (decide never moves a key's clock back): where a return finds its log entry.
      const at = state.refilledAt;
      const id = book.add({ units, at, expiresAt: at + ttlMs });
      lease = { id, units, ttlMs };
    }
  }
  const outcome = last ?? peek(policy, state, log, now);
  return { ...outcome, allowed: true, retryAfterMs: 0, ...(lease ? { lease } : {}), ...refunded };
}

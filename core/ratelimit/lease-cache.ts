// The isolate's side of leases (lease.ts is the owner's): per key, the lease this isolate holds,
// what it must report back, and when to renew. Pure bookkeeping; the caller does the I/O.
//
// A request spends a token of a valid lease without asking the owner. When the lease runs low or
// nears its end, one renewal goes out in the background (it asks for a new lease and returns what
// is finished), so a key in steady use rarely makes a request wait for the owner. A request that
// finds no token asks the owner itself: it never waits on another request's renewal (in workerd a
// promise tied to another request's I/O may never settle once that request ends).
import { leaseCap, type AcquireOutcome, type LeaseReturn } from "./lease.ts";
import type { RatePolicy } from "./token-window.ts";

/** The smallest lease asked for (capped by the key's C). */
const MIN_WANT = 4;
/**
 * ...and at least this share of C. A key with a large C (per IP: 1,000/min, C = 250) used by a
 * client every few seconds would otherwise renew every three or four requests while its lease grows
 * from 4 (measured under bench:api: a limiter call behind ~1 request in 4, the largest cost left in
 * the isolate). A user's C is small (pro: 25, free: 5), so its first lease stays at MIN_WANT and an
 * isolate the user leaves holds little.
 */
const MIN_WANT_SHARE_OF_CAP = 1 / 8;

/** A lease stops being spent this long before the owner considers it over (in-flight time, clock steps). */
export const LEASE_MARGIN_MS = 1_000;

interface HeldLease {
  id: string;
  left: number;
  /** Local clock; never later than the owner's expiry for this lease. */
  expiresAt: number;
  /** The lease's whole life at this end, to tell when it nears its end. */
  ttlMs: number;
}

/** The owner's latest figures for a key, to answer from when a request spends a leased token. */
export interface OwnerFigures {
  policy: RatePolicy;
  /** What the owner could still grant at that answer (leased tokens not included). */
  remaining: number;
  resetMs: number;
  /** Local clock when the answer came. */
  at: number;
}

interface KeyLeases {
  leases: HeldLease[];
  returns: LeaseReturn[];
  figures: OwnerFigures | undefined;
  /** Tokens spent from leases since the last acquire went out (sizes the next lease). */
  spent: number;
  renewing: boolean;
}

export interface Spent {
  figures: OwnerFigures;
  /** Tokens this isolate still holds for the key after this one. */
  held: number;
  /** A background renewal should start now (see `begin`). */
  renew: boolean;
}

export interface AcquirePlan {
  want: number;
  returns: LeaseReturn[];
}

export class LeaseCache {
  private readonly keys = new Map<string, KeyLeases>();
  private readonly maxKeys: number;

  constructor(maxKeys = 10_000) {
    this.maxKeys = maxKeys;
  }

  /** Spends one leased token of `key` if this isolate holds a valid one. */
  spend(key: string, now: number): Spent | undefined {
    const k = this.keys.get(key);
    if (!k?.figures) return undefined;
    this.retire(k, now, false);
    const lease = k.leases.find((l) => l.left > 0);
    if (!lease) return undefined;
    lease.left--;
    k.spent++;
    const held = this.held(k);
    return { figures: k.figures, held, renew: !k.renewing && this.wantsRenewal(k, held, now) };
  }

  /**
   * Starts an acquire for `key`: what to ask for and what to report. A background renewal
   * (`renewal: true`) is at most one per key at a time; it returns undefined when one is already
   * out. Leases that are finished, or near their end, are handed back with it (what they hold is
   * no longer spent here); the rest are kept.
   */
  begin(key: string, now: number, renewal: boolean, policy?: RatePolicy): AcquirePlan | undefined {
    const k = this.entry(key);
    if (renewal) {
      if (k.renewing) return undefined;
      k.renewing = true;
    }
    this.retire(k, now, renewal);
    // A user's policy (the tenant's plan) is unknown until the owner has answered once: ask for one.
    const known = k.figures?.policy ?? policy;
    const cap = known ? leaseCap(known) : 1;
    // Twice what the last lease period used (at least a few): enough for one more period at a
    // rising rate, and a key used once in a while holds little it could waste.
    const want = Math.min(cap, Math.max(MIN_WANT, Math.floor(cap * MIN_WANT_SHARE_OF_CAP), 2 * k.spent));
    k.spent = 0;
    const returns = k.returns;
    k.returns = [];
    return { want, returns };
  }

  /** The owner's answer to an acquire that went out at `sentAt` (local clock). */
  settle(
    key: string,
    sentAt: number,
    policy: RatePolicy,
    outcome: Pick<AcquireOutcome, "remaining" | "resetMs" | "lease">,
    renewal: boolean,
  ): void {
    const k = this.entry(key);
    if (renewal) k.renewing = false;
    k.figures = { policy, remaining: outcome.remaining, resetMs: outcome.resetMs, at: sentAt };
    const lease = outcome.lease;
    if (lease && lease.units > 0) {
      // Counted from when the request left, not when the answer came: the owner started the
      // lease in between, so this end always stops first.
      k.leases.push({
        id: lease.id,
        left: lease.units,
        expiresAt: sentAt + lease.ttlMs - LEASE_MARGIN_MS,
        ttlMs: lease.ttlMs,
      });
    }
  }

  /** An acquire that got no answer: its returns go out with the next one (returns are idempotent). */
  failed(key: string, plan: AcquirePlan, renewal: boolean): void {
    const k = this.entry(key);
    if (renewal) k.renewing = false;
    k.returns.push(...plan.returns);
  }

  /** Stops spending every lease of keys starting with `prefix` (their limits changed); they are returned with the next acquire. */
  release(prefix: string): void {
    for (const [key, k] of this.keys) {
      if (!key.startsWith(prefix)) continue;
      for (const l of k.leases) k.returns.push({ id: l.id, unused: l.left });
      k.leases = [];
      k.figures = undefined;
    }
  }

  /** Tokens held for `key` (for the RateLimit header's remaining). */
  heldFor(key: string): number {
    const k = this.keys.get(key);
    return k ? this.held(k) : 0;
  }

  get size(): number {
    return this.keys.size;
  }

  private held(k: KeyLeases): number {
    let n = 0;
    for (const l of k.leases) n += l.left;
    return n;
  }

  private wantsRenewal(k: KeyLeases, held: number, now: number): boolean {
    const newest = k.leases[k.leases.length - 1];
    if (!newest) return true;
    // Low: fewer than half of what this period used are left. Late: a third of the lease's life is left.
    return held <= Math.floor(k.spent / 2) || newest.expiresAt - now < newest.ttlMs / 3;
  }

  /** Moves used-up and expired leases (and, for a renewal, those near their end) to the returns. */
  private retire(k: KeyLeases, now: number, nearEnd: boolean): void {
    if (k.leases.length === 0) return;
    const keep: HeldLease[] = [];
    for (const l of k.leases) {
      const ending = l.expiresAt <= now || (nearEnd && l.expiresAt - now < l.ttlMs / 3);
      if (l.left === 0 || ending) k.returns.push({ id: l.id, unused: l.left });
      else keep.push(l);
    }
    k.leases = keep;
  }

  private entry(key: string): KeyLeases {
    let k = this.keys.get(key);
    if (!k) {
      k = { leases: [], returns: [], figures: undefined, spent: 0, renewing: false };
      this.keys.set(key, k);
      // Bounded: the oldest key is forgotten; its leases simply run out at the owner.
      if (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
    }
    return k;
  }
}

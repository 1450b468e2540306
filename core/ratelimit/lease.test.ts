import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acquire, LEASE_TTL_MS, leaseCap, LeaseBook, type AcquireRequest } from "./lease.ts";
import { LeaseCache } from "./lease-cache.ts";
import { initialState, MemoryGrantLog, type RatePolicy } from "./token-window.ts";
import { ipPolicy, userPolicy } from "./policies.ts";

const FREE = userPolicy("free"); // 100/min, burst 20 → C = 5
const W = 60_000;

/** One limiter object and the isolates that hold its leases, run the way decideLeased runs them (answers arrive at once). */
function world(policy: RatePolicy, holders: number, start = 0) {
  const state = initialState(policy, start);
  const log = new MemoryGrantLog();
  let book = new LeaseBook("a");
  let caches = Array.from({ length: holders }, () => new LeaseCache());
  const ownerCalls = { n: 0 };
  const greedy: { left: number; until: number }[] = [];
  const owner = (now: number, request: AcquireRequest) => {
    ownerCalls.n++;
    return acquire(policy, state, log, book, now, request);
  };
  const request = (h: number, now: number): boolean => {
    const cache = caches[h]!;
    const spent = cache.spend("k", now);
    if (spent) {
      if (spent.renew) {
        const plan = cache.begin("k", now, true);
        if (plan) cache.settle("k", now, policy, owner(now, { take: 0, ...plan }), true);
      }
      return true;
    }
    const plan = cache.begin("k", now, false)!;
    const d = owner(now, { take: 1, ...plan });
    cache.settle("k", now, policy, d, false);
    return d.allowed || cache.spend("k", now) !== undefined;
  };
  return {
    state,
    log,
    ownerCalls,
    request,
    /** A holder that asks for all it can get, and spends it as late as its lease allows. */
    greedyLease: (now: number) => {
      const d = owner(now, { take: 0, want: 1_000_000, returns: [] });
      if (d.lease) greedy.push({ left: d.lease.units, until: now + d.lease.ttlMs - 1_000 });
    },
    greedySpend: (now: number): number => {
      let n = 0;
      for (const l of greedy) {
        if (now >= l.until) l.left = 0;
        n += l.left;
        l.left = 0;
      }
      return n;
    },
    /** The isolate is evicted: its leases are never returned. */
    evict: (h: number) => {
      caches[h] = new LeaseCache();
    },
    /** The owner restarts: its leases are forgotten (the limiter state itself survives, as with SQLite). */
    restartOwner: () => {
      book = new LeaseBook(`r${Math.random()}`);
    },
    reset: () => {
      caches = caches.map(() => new LeaseCache());
    },
  };
}

/** Largest number of uses in any half-open window (t − w, t]. */
function maxInAnyWindow(times: number[], w: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[lo]! <= times[hi]! - w) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe("leases (owner side)", () => {
  it("a fresh key gets exactly the burst at one instant, however many isolates ask", () => {
    const w = world(FREE, 8, 1_000_000);
    let allowed = 0;
    for (let i = 0; i < 500; i++) if (w.request(i % 8, 1_000_000)) allowed++;
    expect(allowed).toBe(20);
  });

  it("never holds more than C unspent tokens in open leases, and leases only what the limits allow", () => {
    const state = initialState(FREE, 0);
    const log = new MemoryGrantLog();
    const book = new LeaseBook("x");
    const first = acquire(FREE, state, log, book, 0, { take: 1, want: 50, returns: [] });
    expect(first).toMatchObject({ allowed: true, lease: { units: leaseCap(FREE) } });
    expect(leaseCap(FREE)).toBe(5);
    const second = acquire(FREE, state, log, book, 0, { take: 1, want: 50, returns: [] });
    expect(second.allowed).toBe(true);
    expect(second.lease).toBeUndefined();
    expect(book.outstanding(0)).toBe(5);
    // The owner has 20 − 2 − 5 = 13 left to give.
    expect(second.remaining).toBe(13);
    // After the lease's life it counts as spent, and the cap is free again.
    expect(book.outstanding(LEASE_TTL_MS)).toBe(0);
  });

  it("a returned lease gives its unused tokens back to the bucket and the window, once", () => {
    const state = initialState(FREE, 0);
    const log = new MemoryGrantLog();
    const book = new LeaseBook("x");
    const d = acquire(FREE, state, log, book, 0, { take: 1, want: 5, returns: [] });
    const id = d.lease!.id;
    expect(d.remaining).toBe(14);
    const back = acquire(FREE, state, log, book, 10, { take: 0, want: 0, returns: [{ id, unused: 3 }] });
    expect(back).toMatchObject({ allowed: true, remaining: 17, refundedFrom: 0 });
    expect(state.windowCount).toBe(3);
    // The same return again (a retried renewal) changes nothing.
    const again = acquire(FREE, state, log, book, 10, { take: 0, want: 0, returns: [{ id, unused: 3 }] });
    expect(again.remaining).toBe(17);
    expect(again.refundedFrom).toBeUndefined();
    // A return after the lease ended is ignored: the tokens may have been spent.
    const late = acquire(FREE, state, log, book, 10, { take: 0, want: 2, returns: [] });
    const lateId = late.lease!.id;
    const after = acquire(FREE, state, log, book, 10 + LEASE_TTL_MS, {
      take: 0,
      want: 0,
      returns: [{ id: lateId, unused: 2 }],
    });
    expect(after.refundedFrom).toBeUndefined();
  });

  it("a return cannot close another instance's lease (ids are unique per instance)", () => {
    const a = new LeaseBook("aaaa");
    const b = new LeaseBook("bbbb");
    const idA = a.add({ units: 3, at: 0, expiresAt: 10_000 });
    b.add({ units: 3, at: 0, expiresAt: 10_000 });
    expect(b.close(idA, 1)).toBeUndefined();
    expect(b.outstanding(1)).toBe(3);
  });
});

/** `cache` asks for `key` at 0 and the owner leases it `units` tokens under id `id`. */
function hold(cache: LeaseCache, key: string, id: string, units: number): void {
  cache.begin(key, 0, false);
  cache.settle(key, 0, FREE, { remaining: 10, resetMs: 0, lease: { id, units, ttlMs: LEASE_TTL_MS } }, false);
}

describe("leases (isolate side)", () => {
  it("a key in steady use asks its owner for a small fraction of its requests", () => {
    const policy = userPolicy("pro"); // 1,000/min, burst 100 → C = 25
    const w = world(policy, 1, 0);
    let allowed = 0;
    // 5 requests per second for a minute: 300, well under the limit.
    for (let t = 0; t < 60_000; t += 200) if (w.request(0, t)) allowed++;
    expect(allowed).toBe(300);
    expect(w.ownerCalls.n).toBeLessThan(300 / 5);
  });

  it("a spent-out lease is not spent again, and a lease is never spent after its local end", () => {
    const cache = new LeaseCache();
    expect(cache.spend("k", 0)).toBeUndefined();
    const plan = cache.begin("k", 0, false)!;
    expect(plan).toEqual({ want: 1, returns: [] });
    hold(cache, "k", "x.1", 1);
    expect(cache.spend("k", LEASE_TTL_MS - 1_000)).toBeUndefined();
    // Returned, with what it still held, by the next acquire.
    expect(cache.begin("k", LEASE_TTL_MS, false)!.returns).toEqual([{ id: "x.1", unused: 1 }]);
  });

  it("a plan change stops the tenant's leases and returns them", () => {
    const cache = new LeaseCache();
    hold(cache, "t1|u1", "x.1", 4);
    hold(cache, "t2|u1", "x.2", 4);
    cache.release("t1|");
    expect(cache.spend("t1|u1", 1)).toBeUndefined();
    expect(cache.spend("t2|u1", 1)).toBeDefined();
    expect(cache.begin("t1|u1", 1, false)!.returns).toEqual([{ id: "x.1", unused: 4 }]);
  });

  it("keeps a bounded number of keys", () => {
    const cache = new LeaseCache(100);
    for (let i = 0; i < 1_000; i++) cache.begin(`k${i}`, 0, false);
    expect(cache.size).toBe(100);
  });
});

describe("the documented bound under any schedule (property)", () => {
  for (const [name, policy] of [
    ["free plan", FREE],
    ["per IP", ipPolicy(100)],
  ] as const) {
    it(`${name}: any window ≤ N + C, any instant ≤ B + C, across isolates, evictions and owner restarts`, () => {
      const cap = leaseCap(policy);
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 15_000 })),
              holder: fc.integer({ min: 0, max: 3 }),
              burst: fc.integer({ min: 1, max: 30 }),
              event: fc.constantFrom(
                "request",
                "request",
                "request",
                "evict",
                "restart",
                "greedy-lease",
                "greedy-spend",
              ),
            }),
            { minLength: 1, maxLength: 120 },
          ),
          (steps) => {
            const w = world(policy, 4, 0);
            const used: number[] = [];
            let now = 0;
            for (const s of steps) {
              now += s.gap;
              if (s.event === "evict") w.evict(s.holder);
              else if (s.event === "restart") w.restartOwner();
              else if (s.event === "greedy-lease") w.greedyLease(now);
              else if (s.event === "greedy-spend") for (let n = w.greedySpend(now); n > 0; n--) used.push(now);
              else for (let i = 0; i < s.burst; i++) if (w.request(s.holder, now)) used.push(now);
            }
            const restarts = steps.filter((s) => s.event === "restart").length;
            // Each owner restart forgets the open leases once: at most C more may be out.
            const slack = cap * (1 + restarts);
            expect(maxInAnyWindow(used, W)).toBeLessThanOrEqual(policy.limit + slack);
            expect(maxInAnyWindow(used, 1)).toBeLessThanOrEqual(policy.burst + slack);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it("the worst case: a lease taken early and spent late, then a full window of requests", () => {
    const w = world(FREE, 1, 0);
    const used: number[] = [];
    w.greedyLease(0);
    for (let n = w.greedySpend(LEASE_TTL_MS - 1_001); n > 0; n--) used.push(LEASE_TTL_MS - 1_001);
    for (let t = LEASE_TTL_MS - 1_000; t < 80_000; t += 100) if (w.request(0, t)) used.push(t);
    expect(maxInAnyWindow(used, W)).toBe(FREE.limit + leaseCap(FREE));
  });

  it("a client within the limits is not refused when it uses one isolate (returns give back what it did not spend)", () => {
    const w = world(FREE, 1, 0);
    let refused = 0;
    // 1.5 requests per second (90/min, under 100), in pairs: never more than the burst.
    for (let t = 0; t < 5 * 60_000; t += 1_333) {
      if (!w.request(0, t)) refused++;
      if (!w.request(0, t + 1)) refused++;
    }
    expect(refused).toBe(0);
  });
});

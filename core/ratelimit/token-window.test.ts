import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, initialState, MemoryGrantLog, type RatePolicy } from "./token-window.ts";
import { userPolicy } from "./policies.ts";

const FREE: RatePolicy = userPolicy("free"); // 100/min, burst 20

function limiter(policy: RatePolicy, start = 0) {
  const state = initialState(policy, start);
  const log = new MemoryGrantLog();
  return { state, log, hit: (now: number, cost = 1) => decide(policy, state, log, now, cost) };
}

/** Largest number of grants in any half-open window (t − w, t]. */
function maxInAnyWindow(grants: number[], w: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < grants.length; hi++) {
    while (grants[lo]! <= grants[hi]! - w) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe("token bucket + sliding-window log", () => {
  it("allows exactly the burst at one instant, then one token per 600 ms for 100/min", () => {
    const l = limiter(FREE, 1_000_000);
    const t0 = 1_000_000;
    const first = Array.from({ length: 500 }, () => l.hit(t0));
    expect(first.filter((d) => d.allowed)).toHaveLength(20);
    expect(first[19]).toMatchObject({ allowed: true, remaining: 0 });
    expect(first[20]).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 600 });
    expect(l.hit(t0 + 599).allowed).toBe(false);
    expect(l.hit(t0 + 600)).toMatchObject({ allowed: true, remaining: 0 });
    expect(l.hit(t0 + 3_600)).toMatchObject({ allowed: true, remaining: 4 });
  });

  it("caps every minute at the rate although the bucket alone would allow burst + rate", () => {
    const l = limiter(FREE, 0);
    const granted: number[] = [];
    // A greedy client asking every 100 ms for 5 minutes.
    for (let t = 0; t < 300_000; t += 100) if (l.hit(t).allowed) granted.push(t);
    expect(maxInAnyWindow(granted, 60_000)).toBe(100);
    // Sustained throughput is the rate: 5 minutes ≈ 500 (the first minute's burst included).
    expect(granted.length).toBeGreaterThanOrEqual(495);
    expect(granted.length).toBeLessThanOrEqual(500);
    // Within the first minute: 20 at once, then the bucket's pace until the minute is full at 48 s.
    expect(granted.filter((t) => t === 0)).toHaveLength(1); // one request per 100 ms tick here
  });

  it("rolls the window over exactly W ms after a grant", () => {
    const l = limiter({ limit: 3, burst: 3, windowSeconds: 60 }, 0);
    expect([l.hit(0), l.hit(0), l.hit(10_000)].every((d) => d.allowed)).toBe(true);
    const denied = l.hit(30_000);
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: 30_000 });
    expect(l.hit(59_999).allowed).toBe(false);
    // Both t=0 grants leave the window at 60 s; the 10 s grant stays until 70 s.
    expect(l.hit(60_000)).toMatchObject({ allowed: true, remaining: 1 });
    expect(l.hit(60_000)).toMatchObject({ allowed: true, remaining: 0 });
    expect(l.hit(60_000)).toMatchObject({ allowed: false, retryAfterMs: 10_000 });
  });

  it("reports reset as the time until the full burst is back", () => {
    const l = limiter(FREE, 0);
    for (let i = 0; i < 20; i++) l.hit(0);
    const d = l.hit(0);
    expect(d.resetMs).toBe(12_000); // 20 tokens at 1 per 600 ms; the window has room for 20 more
  });

  it("a clock that goes backwards refills nothing", () => {
    const l = limiter({ limit: 60, burst: 1, windowSeconds: 60 }, 10_000);
    expect(l.hit(10_000).allowed).toBe(true);
    expect(l.hit(5_000).allowed).toBe(false);
    expect(l.hit(10_999).allowed).toBe(false);
    expect(l.hit(11_000).allowed).toBe(true);
  });

  it("rejects impossible costs and invalid policies", () => {
    const l = limiter(FREE);
    expect(() => l.hit(0, 21)).toThrow(RangeError);
    expect(() =>
      decide({ limit: 5, burst: 6, windowSeconds: 60 }, initialState(FREE, 0), new MemoryGrantLog(), 0),
    ).toThrow(RangeError);
  });

  it("property: any window ≤ limit, any interval ≤ burst + rate·T, and a retry after Retry-After succeeds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 400 }),
        (a, b, wSec, gaps) => {
          const policy = { limit: Math.max(a, b), burst: Math.min(a, b), windowSeconds: wSec };
          const w = wSec * 1000;
          const l = limiter(policy, 0);
          const granted: number[] = [];
          let t = 0;
          for (const gap of gaps) {
            t += gap;
            const d = l.hit(t);
            if (d.allowed) granted.push(t);
            else {
              // Whoever waits Retry-After gets in (checked on a copy, so the run is not disturbed).
              const copy = limiter(policy, 0);
              Object.assign(copy.state, l.state);
              // Rebuild the copy's log with running totals matching its state.
              const inWindow = granted.filter((g) => g > t - w);
              expect(inWindow).toHaveLength(l.state.windowCount);
              const fresh = new MemoryGrantLog();
              let cum = copy.state.granted - inWindow.length;
              for (const g of inWindow) fresh.add(g, 1, ++cum);
              const again = decide(policy, copy.state, fresh, t + d.retryAfterMs);
              expect(again.allowed).toBe(true);
            }
          }
          expect(maxInAnyWindow(granted, w)).toBeLessThanOrEqual(policy.limit);
          for (let i = 0; i < granted.length; i++) {
            for (let j = i; j < granted.length; j++) {
              const span = granted[j]! - granted[i]!;
              expect(j - i + 1).toBeLessThanOrEqual(policy.burst + Math.floor((span * policy.limit) / w));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

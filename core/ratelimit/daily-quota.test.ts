import { describe, expect, it } from "vitest";
import { consumeDaily, localDay, nextLocalMidnight, safeTimeZone } from "./daily-quota.ts";

const MX = "America/Mexico_City"; // UTC−6 all year since Mexico dropped DST (Oct 2022)

describe("daily quota in the tenant's time zone", () => {
  it("local day and next local midnight in Mexico City", () => {
    const at = Date.parse("2026-03-10T05:59:59.999Z"); // 23:59:59.999 on 9 March in CDMX
    expect(localDay(at, MX)).toBe("2026-03-09");
    expect(nextLocalMidnight(at, MX)).toBe(Date.parse("2026-03-10T06:00:00Z"));
    expect(localDay(at + 1, MX)).toBe("2026-03-10");
    expect(nextLocalMidnight(at + 1, MX)).toBe(Date.parse("2026-03-11T06:00:00Z"));
  });

  it("follows DST in zones that have it (New York spring forward, Santiago's midnight gap)", () => {
    // 2026-03-08: New York goes from EST (−5) to EDT (−4) at 02:00; midnight on the 9th is 04:00Z.
    expect(nextLocalMidnight(Date.parse("2026-03-08T12:00:00Z"), "America/New_York")).toBe(
      Date.parse("2026-03-09T04:00:00Z"),
    );
    // Chile starts DST at 24:00 (clocks jump to 01:00): on 2026-09-06 local midnight does not exist.
    const santiago = "America/Santiago";
    const before = Date.parse("2026-09-05T20:00:00Z");
    const next = nextLocalMidnight(before, santiago);
    expect(localDay(next - 1, santiago)).toBe(localDay(before, santiago));
    expect(localDay(next, santiago)).not.toBe(localDay(before, santiago));
  });

  it("counts all-or-nothing and resets at local midnight", () => {
    const opts = { limit: 1_000, timeZone: MX };
    const evening = Date.parse("2026-05-01T05:00:00Z"); // 23:00 on 30 April in CDMX
    let d = consumeDaily(undefined, opts, evening, 990);
    expect(d).toMatchObject({ allowed: true, remaining: 10, resetAt: Date.parse("2026-05-01T06:00:00Z") });
    d = consumeDaily(d.usage, opts, evening + 1, 11);
    expect(d).toMatchObject({ allowed: false, remaining: 10 });
    d = consumeDaily(d.usage, opts, evening + 2, 10);
    expect(d).toMatchObject({ allowed: true, remaining: 0 });
    d = consumeDaily(d.usage, opts, Date.parse("2026-05-01T05:59:59.999Z"), 1);
    expect(d.allowed).toBe(false);
    d = consumeDaily(d.usage, opts, Date.parse("2026-05-01T06:00:00Z"), 1);
    expect(d).toMatchObject({ allowed: true, remaining: 999, usage: { day: "2026-05-01", used: 1 } });
  });

  it("falls back to Mexico City for an unknown zone", () => {
    expect(safeTimeZone("Mars/Olympus_Mons")).toBe(MX);
    expect(safeTimeZone(undefined)).toBe(MX);
    expect(safeTimeZone("America/Bogota")).toBe("America/Bogota");
  });
});

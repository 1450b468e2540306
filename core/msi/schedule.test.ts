import { describe, expect, it } from "vitest";
import {
  addMonthsClamped,
  daysBetween,
  fromCents,
  isCalendarDate,
  localDate,
  MSI_COUNTS,
  msiSchedule,
  splitAmount,
  toCents,
} from "./schedule.ts";

// A seeded generator, so a failing case reproduces.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("splitAmount / msiSchedule amounts", () => {
  it("gives the remainder to the first installment", () => {
    expect(msiSchedule("1000.00", 3, "2026-01-15").map((i) => i.amount)).toEqual(["333.34", "333.33", "333.33"]);
    expect(msiSchedule("0.05", 6, "2026-01-15").map((i) => i.amount)).toEqual([
      "0.05",
      "0.00",
      "0.00",
      "0.00",
      "0.00",
      "0.00",
    ]);
    // 1,760,590 cents / 18 = 97,810 rest 10.
    const eighteen = msiSchedule("17605.9", 18, "2026-01-15").map((i) => i.amount);
    expect([eighteen[0], eighteen[17]]).toEqual(["978.20", "978.10"]);
  });

  it("always sums to the total, to the cent, and no installment differs from another by more than the remainder", () => {
    const rnd = prng(14);
    for (let i = 0; i < 5_000; i++) {
      const cents = BigInt(1 + Math.floor(rnd() * 1e11));
      const count = MSI_COUNTS[Math.floor(rnd() * MSI_COUNTS.length)]!;
      const parts = splitAmount(cents, count);
      expect(parts.reduce((a, b) => a + b, 0n)).toBe(cents);
      expect(parts[0]! - parts[count - 1]!).toBe(cents % BigInt(count));
      expect(new Set(parts.slice(1)).size).toBe(1);
    }
  });

  it("reads and writes amounts without floats", () => {
    expect(toCents("0.1")).toBe(10n);
    expect(toCents("123456789012.99")).toBe(12345678901299n);
    for (const bad of ["-1", "1.234", "1e3", "", "01.00", " 1", "1,000.00", "NaN"]) expect(toCents(bad)).toBeNull();
    expect(fromCents(5n)).toBe("0.05");
    expect(fromCents(12345678901299n)).toBe("123456789012.99");
    expect(() => msiSchedule("0", 3, "2026-01-01")).toThrow(RangeError);
  });
});

describe("due dates", () => {
  it("monthly from the start date, clamped to the end of shorter months, never drifting", () => {
    expect(msiSchedule("100.00", 6, "2027-01-31").map((i) => i.dueDate)).toEqual([
      "2027-01-31",
      "2027-02-28",
      "2027-03-31",
      "2027-04-30",
      "2027-05-31",
      "2027-06-30",
    ]);
    // Leap year.
    expect(addMonthsClamped("2028-01-31", 1)).toBe("2028-02-29");
    expect(addMonthsClamped("2028-02-29", 12)).toBe("2029-02-28");
    expect(addMonthsClamped("2026-11-30", 3)).toBe("2027-02-28");
    expect(addMonthsClamped("2026-12-15", 18)).toBe("2028-06-15");
  });

  it("for every start date of four years and every count: valid dates, increasing, each in its own month", () => {
    for (let d = Date.UTC(2026, 0, 1); d < Date.UTC(2030, 0, 1); d += 86_400_000) {
      const start = new Date(d).toISOString().slice(0, 10);
      for (const count of MSI_COUNTS) {
        const dates = msiSchedule("1000.00", count, start).map((i) => i.dueDate);
        for (const [i, date] of dates.entries()) {
          expect(isCalendarDate(date)).toBe(true);
          if (i > 0) expect(date > dates[i - 1]!).toBe(true);
          const monthIndex = (y: string) => Number(y.slice(0, 4)) * 12 + Number(y.slice(5, 7));
          expect(monthIndex(date) - monthIndex(start)).toBe(i);
          expect(Number(date.slice(8))).toBe(
            Math.min(
              Number(start.slice(8)),
              new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).getUTCDate(),
            ),
          );
        }
      }
    }
  });

  it("rejects dates that do not exist", () => {
    for (const bad of ["2026-02-29", "2026-13-01", "2026-00-10", "2026-4-1", "20260401"])
      expect(isCalendarDate(bad), bad).toBe(false);
    expect(() => msiSchedule("10.00", 3, "2026-02-30")).toThrow(RangeError);
  });
});

describe("tenant-local dates", () => {
  it("today in the tenant's zone (Mexico City has no DST since 2022)", () => {
    const at = new Date("2026-12-02T05:30:00Z"); // 23:30 on Dec 1 in Mexico City
    expect(localDate(at, "America/Mexico_City")).toBe("2026-12-01");
    expect(localDate(at, "America/Tijuana")).toBe("2026-12-01");
    expect(localDate(at, "America/Cancun")).toBe("2026-12-02");
    expect(localDate(new Date("2026-07-01T05:30:00Z"), "America/Mexico_City")).toBe("2026-06-30");
    expect(daysBetween("2028-02-28", "2028-03-01")).toBe(2);
    expect(daysBetween("2026-03-10", "2026-03-07")).toBe(-3);
  });
});

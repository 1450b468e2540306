import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  add,
  compare,
  divide,
  formatDecimal,
  formatMinimal,
  mul,
  parseDecimal,
  roundHalfUp,
  roundUp,
  sub,
  sum,
  truncate,
} from "./decimal.ts";

const d = parseDecimal;
const f = (s: string, places?: number) => formatDecimal(d(s), places);

describe("decimal", () => {
  it("adds and multiplies exactly where floats do not", () => {
    expect(formatDecimal(add(d("0.1"), d("0.2")))).toBe("0.3");
    expect(formatDecimal(mul(d("1.15"), d("100")))).toBe("115.00");
    expect(formatDecimal(mul(d("0.160000"), d("2868.11")))).toBe("458.89760000");
    expect(formatDecimal(sub(d("1"), d("1.005")))).toBe("-0.005");
    expect(formatDecimal(sum([d("1.10"), d("2.205"), d("-0.005")]))).toBe("3.300");
  });

  it("rounds half up (away from zero), as SAT's Anexo 20 'redondeo'", () => {
    expect(f("2.675", 2)).toBe("2.68"); // (2.675).toFixed(2) === "2.67" with floats
    expect(f("1.005", 2)).toBe("1.01");
    expect(f("1.0049999", 2)).toBe("1.00");
    expect(f("-1.005", 2)).toBe("-1.01");
    expect(f("0.5", 0)).toBe("1");
    expect(f("12", 2)).toBe("12.00");
    expect(formatDecimal(truncate(d("1.999"), 2))).toBe("1.99");
    expect(formatDecimal(roundUp(d("1.001"), 2))).toBe("1.01");
    expect(formatDecimal(roundUp(d("1.000"), 2))).toBe("1.00");
  });

  it("divides with explicit rounding", () => {
    expect(formatDecimal(divide(d("1"), d("3"), 6))).toBe("0.333333");
    expect(formatDecimal(divide(d("2"), d("3"), 6))).toBe("0.666667");
    expect(formatDecimal(divide(d("10"), d("4"), 0))).toBe("3");
    expect(() => divide(d("1"), d("0"), 2)).toThrow();
  });

  it("parses only plain decimals", () => {
    for (const bad of ["", "1e3", "1.", ".5", "1,000.00", " 1", "NaN", "0x10"]) expect(() => d(bad)).toThrow();
    expect(formatMinimal(d("1.500000"))).toBe("1.5");
    expect(formatMinimal(d("2.00"))).toBe("2");
    expect(compare(d("2.50"), d("2.5"))).toBe(0);
  });

  it("agrees with integer arithmetic on cents (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.bigInt({ min: 0n, max: 10n ** 6n }),
        (cents, q) => {
          const a = { units: cents, scale: 2 };
          const b = { units: q, scale: 6 };
          const exact = cents * q; // scale 8
          const r = roundHalfUp(mul(a, b), 2).units;
          const abs = exact < 0n ? -exact : exact;
          let expected = abs / 1000000n + ((abs % 1000000n) * 2n >= 1000000n ? 1n : 0n);
          if (exact < 0n) expected = -expected;
          return r === expected;
        },
      ),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizePhone } from "./phone.ts";

const E164_DB_RE = /^\+[1-9][0-9]{7,14}$/; // contacts_phone_e164 CHECK in db/schema/crm.ts

function e164(input: string): string {
  const r = normalizePhone(input);
  if (!r.ok) throw new Error(`rejected ${JSON.stringify(input)}: ${r.reason}`);
  return r.e164;
}

function reason(input: string): string {
  const r = normalizePhone(input);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(input)} as ${r.e164}`);
  return r.reason;
}

describe("normalizePhone — Mexican numbers", () => {
  it.each([
    "+52 55 1234 5678",
    "55 1234 5678",
    "(55) 1234-5678",
    "5512345678",
    "55.1234.5678",
    "  55 1234 5678  ",
    "+52 (55) 1234-5678",
    "+525512345678",
    "+52 1 55 1234 5678", // legacy mobile "1"
    "+5215512345678",
    "044 55 1234 5678", // legacy local mobile prefix
    "045 55 1234 5678", // legacy long-distance mobile prefix
    "01 55 1234 5678", // legacy long-distance prefix
    "01 (55) 1234 5678",
    "52 55 1234 5678", // country code without "+"
    "521 55 1234 5678",
  ])("%s → +525512345678", (input) => {
    expect(e164(input)).toBe("+525512345678");
  });

  it("keeps three-digit ladas and 800 numbers", () => {
    expect(e164("(222) 123 4567")).toBe("+522221234567"); // Puebla
    expect(e164("01 800 123 4567")).toBe("+528001234567");
    expect(e164("+52 81 8000 1234")).toBe("+528180001234"); // Monterrey
  });

  it.each([
    ["1234 5678", /10/], // local number without lada
    ["55 1234 567", /10/],
    ["55 1234 56789", /10/],
    ["0551234567", /0 ni con 1/],
    ["1551234567", /0 ni con 1/],
    ["+52 155 1234 567", /0 ni con 1|10/],
    ["+52 05 5123 4567", /0 ni con 1/],
    ["+52 55 1234 56789", /10/],
    ["044 1234 5678", /10/],
  ])("rejects %s", (input, re) => {
    expect(reason(input)).toMatch(re);
  });
});

describe("normalizePhone — other countries", () => {
  it("accepts an explicit +<cc> with 8–15 digits", () => {
    expect(e164("+1 (212) 555-0123")).toBe("+12125550123");
    expect(e164("+34 612 34 56 78")).toBe("+34612345678");
    expect(e164("+506 2222 3333")).toBe("+50622223333"); // Costa Rica, 11 digits
  });

  it("enforces the 8–15 digit range", () => {
    expect(reason("+1234567")).toMatch(/entre 8 y 15/);
    expect(e164("+12345678")).toBe("+12345678");
    expect(e164("+123456789012345")).toBe("+123456789012345");
    expect(reason("+1234567890123456")).toMatch(/entre 8 y 15/);
  });

  it("does not guess a country for bare foreign numbers", () => {
    expect(reason("00 1 212 555 0123")).toMatch(/\+/);
    expect(reason("212 555 01234")).toMatch(/10/);
    expect(reason("+0 212 555 0123")).toMatch(/código de país/);
  });
});

describe("normalizePhone — garbage", () => {
  it.each([
    ["", /vacío/],
    ["   ", /vacío/],
    ["abc", /dígitos/],
    ["55 1234 5678 ext. 12", /extensiones/],
    ["55-1234-5678#1", /dígitos/],
    ["+52 55 1234 +5678", /dígitos/],
    ["++525512345678", /dígitos/],
    ["()-", /no contiene dígitos/],
    ["５５１２３４５６７８", /dígitos/], // full-width digits are not ASCII digits
    ["1".repeat(41), /demasiado largo/],
  ])("rejects %j", (input, re) => {
    expect(reason(input)).toMatch(re);
  });

  it("reasons are Spanish sentences", () => {
    expect(reason("12")).toMatch(/^El /);
  });
});

describe("normalizePhone — properties", () => {
  const national = fc
    .tuple(fc.integer({ min: 2, max: 9 }), fc.stringMatching(/^[0-9]{9}$/))
    .map(([a, b]) => `${a}${b}`);
  const sep = fc.constantFrom("", " ", "-", ".");

  it("every written form of a Mexican number gives +52 and the same 10 digits", () => {
    fc.assert(
      fc.property(
        national,
        sep,
        fc.constantFrom("", "+52", "+521", "01", "044", "045", "52", "521"),
        (n, s, prefix) => {
          const written = `${prefix}${s}${n.slice(0, 2)}${s}${n.slice(2, 6)}${s}${n.slice(6)}`;
          expect(normalizePhone(written)).toEqual({ ok: true, e164: `+52${n}` });
        },
      ),
    );
  });

  it("whatever is accepted satisfies the database CHECK and is a fixed point", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/), (input) => {
        const r = normalizePhone(input);
        if (r.ok) {
          expect(r.e164).toMatch(E164_DB_RE);
          expect(normalizePhone(r.e164)).toEqual(r);
        } else {
          expect(r.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

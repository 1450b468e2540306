import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_CURSOR_LENGTH, decodeCursor, encodeCursor } from "./cursor.ts";
import type { CursorPosition } from "./cursor.ts";

const ID = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f";

/** base64url of arbitrary text, to forge cursors. */
function forge(json: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(json)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("encodeCursor / decodeCursor", () => {
  it.each<CursorPosition>([
    { sort: "created", direction: "desc", value: "2026-11-28T07:24:52.634Z", id: ID },
    { sort: "updated", direction: "asc", value: "2026-11-28 07:24:52.634512+00", id: ID }, // Postgres text, µs
    { sort: "created", direction: "asc", value: "2026-11-28T01:24:52-06:00", id: ID },
    { sort: "score", direction: "desc", value: 87, id: ID },
    { sort: "score", direction: "asc", value: 0.5, id: ID },
    { sort: "score", direction: "desc", value: null, id: ID },
    { sort: "created", direction: "desc", value: null, id: ID.toUpperCase() },
  ])("round-trips %j", (p) => {
    const s = encodeCursor(p);
    expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(s)).toEqual(p);
  });

  it("is opaque but short", () => {
    const s = encodeCursor({ sort: "created", direction: "desc", value: "2026-11-28T07:24:52.634Z", id: ID });
    expect(s).not.toContain(ID);
    expect(s.length).toBeLessThan(120);
  });

  it("refuses to encode a position it could not decode", () => {
    const bad: unknown[] = [
      { sort: "name", direction: "asc", value: null, id: ID },
      { sort: "created", direction: "up", value: null, id: ID },
      { sort: "created", direction: "asc", value: "yesterday", id: ID },
      { sort: "created", direction: "asc", value: 1700000000000, id: ID },
      { sort: "score", direction: "asc", value: "87", id: ID },
      { sort: "score", direction: "asc", value: Number.NaN, id: ID },
      { sort: "score", direction: "asc", value: Infinity, id: ID },
      { sort: "score", direction: "asc", value: 1, id: "42" },
      null,
    ];
    for (const p of bad) expect(() => encodeCursor(p as CursorPosition), JSON.stringify(p)).toThrow(TypeError);
  });

  it.each([
    ["empty", ""],
    ["not base64url", "abc+/=="],
    ["padding", `${encodeCursor({ sort: "score", direction: "asc", value: 1, id: ID })}=`],
    ["impossible length", "abcde"],
    ["whitespace", " eyJ9"],
    ["not JSON", forge("hello")],
    ["invalid UTF-8", btoa("\xff\xfe[").replace(/=+$/, "")],
    ["object instead of array", forge(JSON.stringify({ sort: "score", direction: "asc", value: 1, id: ID }))],
    ["other version", forge(JSON.stringify([2, "score", "asc", 1, ID]))],
    ["missing element", forge(JSON.stringify([1, "score", "asc", 1]))],
    ["extra element", forge(JSON.stringify([1, "score", "asc", 1, ID, "x"]))],
    ["unknown sort", forge(JSON.stringify([1, "email", "asc", "a", ID]))],
    ["unknown direction", forge(JSON.stringify([1, "score", "ASC", 1, ID]))],
    ["SQL in the id", forge(JSON.stringify([1, "score", "asc", 1, "1' or '1'='1"]))],
    ["non-UUID id", forge(JSON.stringify([1, "score", "asc", 1, 42]))],
    ["timestamp with the wrong type", forge(JSON.stringify([1, "created", "asc", 5, ID]))],
    ["garbage timestamp", forge(JSON.stringify([1, "created", "asc", "now()", ID]))],
    ["impossible date", forge(JSON.stringify([1, "created", "asc", "2026-02-30T00:00:00Z", ID]))],
    ["timestamp without zone", forge(JSON.stringify([1, "created", "asc", "2026-02-03T00:00:00", ID]))],
    ["score as string", forge(JSON.stringify([1, "score", "asc", "87", ID]))],
    ["non-canonical JSON", forge(`[1, "score", "asc", 1, "${ID}"]`)],
    ["non-canonical number", forge(`[1,"score","asc",1.0,"${ID}"]`)],
    ["too long", "A".repeat(MAX_CURSOR_LENGTH + 4)],
  ])("rejects %s", (_label, s) => {
    expect(decodeCursor(s)).toBeNull();
  });

  it("rejects non-canonical base64 (other trailing bits)", () => {
    const s = encodeCursor({ sort: "score", direction: "desc", value: 5, id: ID });
    const last = s.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const variants = [...alphabet].filter((c) => c !== last).map((c) => s.slice(0, -1) + c);
    for (const v of variants) {
      const d = decodeCursor(v);
      if (d) expect(encodeCursor(d)).toBe(v); // only another valid position, never an alias
    }
  });

  it("property: every valid position round-trips; decode never throws", () => {
    const timestamp = fc
      .date({ min: new Date("1970-01-01"), max: new Date("2999-12-31"), noInvalidDate: true })
      .map((d) => d.toISOString());
    const position = fc.oneof(
      fc.record({
        sort: fc.constantFrom("created" as const, "updated" as const),
        direction: fc.constantFrom("asc" as const, "desc" as const),
        value: fc.option(timestamp, { nil: null }),
        id: fc.uuid(),
      }),
      fc.record({
        sort: fc.constant("score" as const),
        direction: fc.constantFrom("asc" as const, "desc" as const),
        value: fc.option(
          fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
          { nil: null },
        ),
        id: fc.uuid(),
      }),
    );
    fc.assert(
      fc.property(position, (p) => {
        expect(decodeCursor(encodeCursor(p))).toEqual(p);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "binary" }),
          fc.base64String(),
          fc.jsonValue().map((v) => forge(JSON.stringify(v) ?? "")),
        ),
        (s) => {
          const d = decodeCursor(s);
          if (d !== null) expect(encodeCursor(d)).toBe(s);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

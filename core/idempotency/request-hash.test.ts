import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, requestHash } from "./request-hash.ts";

// Independent oracle (Node's crypto, tests only) over the documented preimage.
const oracle = (method: string, path: string, kind: "json" | "text", text: string) =>
  createHash("sha256")
    .update(JSON.stringify([method, path, kind, text]), "utf8")
    .digest("hex");

describe("canonicalJson", () => {
  it("sorts keys recursively and drops whitespace; keeps array order", () => {
    expect(canonicalJson('{ "b": 1, "a": { "d": [3, 1, {"z": true, "y": null}], "c": "x" } }')).toBe(
      '{"a":{"c":"x","d":[3,1,{"y":null,"z":true}]},"b":1}',
    );
    expect(canonicalJson("[2, 1]")).toBe("[2,1]");
    expect(canonicalJson(' "texto" ')).toBe('"texto"');
    expect(canonicalJson("null")).toBe("null");
  });

  it("serialises numbers and strings like JSON.stringify (JCS)", () => {
    expect(canonicalJson("[1.0, 1e0, 100e-2, -0, 1E21, 0.1]")).toBe("[1,1,1,0,1e+21,0.1]");
    expect(canonicalJson('"\\u00e9\\u0041\\n"')).toBe('"éA\\n"');
    expect(canonicalJson('"\\ud800"')).toBe('"\\ud800"'); // lone surrogate stays escaped
  });

  it("sorts by UTF-16 code units (RFC 8785 §3.2.3)", () => {
    // U+1F600 is the surrogate pair D83D DE00, so it sorts before U+FB33 despite its code point.
    expect(canonicalJson('{"\\u00e9":1,"z":2,"A":3,"\\ud83d\\ude00":4,"\\ufb33":5}')).toBe(
      '{"A":3,"z":2,"\u00e9":1,"\ud83d\ude00":4,"\ufb33":5}',
    );
  });

  it("keeps __proto__ as an ordinary key", () => {
    expect(canonicalJson('{"__proto__":{"admin":true},"a":1}')).toBe('{"__proto__":{"admin":true},"a":1}');
  });

  it("returns undefined for non-JSON and absurd nesting", () => {
    for (const t of ["", " ", "{", "{'a':1}", "a=1&b=2", "NaN", "\uFEFF{}", "[1,]"])
      expect(canonicalJson(t)).toBeUndefined();
    expect(canonicalJson("[".repeat(5000) + "]".repeat(5000))).toBeUndefined();
    expect(canonicalJson("[".repeat(100) + "]".repeat(100))).toBe("[".repeat(100) + "]".repeat(100));
  });
});

describe("requestHash", () => {
  it("is SHA-256 hex of [METHOD, path, kind, canonical body]", async () => {
    expect(await requestHash("post", "/v1/leads", '{"b":1,"a":2}')).toBe(
      oracle("POST", "/v1/leads", "json", '{"a":2,"b":1}'),
    );
    expect(await requestHash("POST", "/v1/leads", "a=1")).toBe(oracle("POST", "/v1/leads", "text", "a=1"));
    expect(await requestHash("POST", "/v1/leads", "")).toBe(oracle("POST", "/v1/leads", "text", ""));
    expect(await requestHash("POST", "/v1/x", "{}")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is stable across releases (stored hashes must keep matching)", async () => {
    // Pinned: changing the preimage or canonical form turns every stored key into a 422.
    expect(await requestHash("POST", "/v1/contacts", '{"firstName":"Ana","email":"ana@example.mx"}')).toBe(
      "47cc231301c10e843cc4e3636140c0c01b5cf3611f8dcc9827ecdc6f082299b9",
    );
  });

  it("same object, other key order or spacing → same hash", async () => {
    const a = await requestHash(
      "POST",
      "/v1/proposals",
      '{"title":"Cotización","items":[{"quantity":"1","unitPrice":"100.00"}],"currency":"MXN"}',
    );
    const b = await requestHash(
      "POST",
      "/v1/proposals",
      '{\n  "currency": "MXN",\n  "items": [ { "unitPrice": "100.00", "quantity": "1" } ],\n  "title": "Cotización"\n}',
    );
    expect(a).toBe(b);
  });

  it("anything that changes the request changes the hash", async () => {
    const base = await requestHash("POST", "/v1/leads", '{"a":"1"}');
    const others = await Promise.all([
      requestHash("PUT", "/v1/leads", '{"a":"1"}'),
      requestHash("POST", "/v1/leads/", '{"a":"1"}'),
      requestHash("POST", "/v1/contacts", '{"a":"1"}'),
      requestHash("POST", "/v1/leads", '{"a":"1.0"}'), // decimal strings compare exactly
      requestHash("POST", "/v1/leads", '{"a":1}'),
      requestHash("POST", "/v1/leads", '{"a":"1","b":null}'),
      requestHash("POST", "/v1/leads", '[{"a":"1"}]'),
      requestHash("POST", "/v1/leads", "{'a':'1'}"),
    ]);
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it("a raw text body never collides with a JSON body of the same text", async () => {
    // "1" (JSON number) vs a text body can only meet through the kind tag
    expect(await requestHash("POST", "/p", "1")).not.toBe(oracle("POST", "/p", "text", "1"));
  });

  it("path and body cannot be shifted into each other", async () => {
    expect(await requestHash("POST", "/a", '"b"')).not.toBe(await requestHash("POST", '/a","json","b', ""));
  });

  it("property: hash depends only on the parsed JSON value", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), async (value, indent) => {
        const compact = JSON.stringify(value);
        const pretty = JSON.stringify(value, null, indent);
        // reverse every object's key order
        const reversed = JSON.stringify(value, (_k, v: unknown) =>
          v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as object).reverse())
            : v,
        );
        const h = await requestHash("POST", "/v1/x", compact);
        expect(await requestHash("POST", "/v1/x", pretty)).toBe(h);
        if (!compact.includes("__proto__")) expect(await requestHash("POST", "/v1/x", reversed)).toBe(h);
      }),
      { numRuns: 300 },
    );
  });
});

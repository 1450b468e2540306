import { describe, expect, it } from "vitest";
import { MAX_SIGNATURE_HEADER_CHARS } from "./limits.ts";
import {
  hexHmacSha256,
  twilioSignature,
  verify360dialogSignature,
  verifyMetaSignature,
  verifyTwilioSignature,
} from "./signatures.ts";

const secret = "app-secret-de-prueba";
const encode = (s: string) => new TextEncoder().encode(s);

// Meta escapes non-ASCII as \uXXXX and "/" as "\/"; a relay may re-encode the same JSON as UTF-8.
const escapedBody = encode(
  '{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"text":{"body":"\\u00bfTienen ma\\u00f1ana? 1\\/2"}}]}}]}]}',
);
const utf8Body = encode(
  '{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"text":{"body":"¿Tienen mañana? 1/2"}}]}}]}]}',
);

describe("Meta X-Hub-Signature-256", () => {
  it("verifies the escaped body and the raw-UTF-8 body, each over its own bytes", async () => {
    for (const body of [escapedBody, utf8Body]) {
      const header = `sha256=${await hexHmacSha256(secret, body)}`;
      expect(await verifyMetaSignature(secret, body, header)).toEqual({ ok: true });
    }
  });

  it("rejects a body re-encoded after signing (same JSON value, other bytes)", async () => {
    const header = `sha256=${await hexHmacSha256(secret, escapedBody)}`;
    expect(JSON.parse(new TextDecoder().decode(escapedBody))).toEqual(JSON.parse(new TextDecoder().decode(utf8Body)));
    expect(await verifyMetaSignature(secret, utf8Body, header)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("rejects a wrong secret and a one-byte change", async () => {
    const header = `sha256=${await hexHmacSha256(secret, utf8Body)}`;
    expect(await verifyMetaSignature("otro-secreto", utf8Body, header)).toEqual({ ok: false, reason: "mismatch" });
    const tampered = utf8Body.slice();
    tampered[tampered.length - 5]! ^= 1;
    expect(await verifyMetaSignature(secret, tampered, header)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("accepts upper-case hex (bytes are compared, not text)", async () => {
    const hex = await hexHmacSha256(secret, utf8Body);
    expect(await verifyMetaSignature(secret, utf8Body, `sha256=${hex.toUpperCase()}`)).toEqual({ ok: true });
  });

  it("reports a missing header", async () => {
    for (const header of [undefined, null, ""])
      expect(await verifyMetaSignature(secret, utf8Body, header)).toEqual({ ok: false, reason: "missing" });
  });

  it("reports malformed headers without throwing", async () => {
    const hex = await hexHmacSha256(secret, utf8Body);
    const malformed = [
      hex, // no prefix
      `sha1=${hex}`,
      `SHA256=${hex}`,
      `sha256=${hex.slice(1)}`, // odd length
      `sha256=${hex.slice(2)}`, // 31 bytes
      `sha256=${hex}00`, // 33 bytes
      `sha256=${hex.slice(0, -1)}g`, // non-hex
      `sha256= ${hex.slice(1)}`,
      "sha256=",
      `sha256=${"a".repeat(MAX_SIGNATURE_HEADER_CHARS)}`,
      "x".repeat(1_000_000),
    ];
    for (const header of malformed)
      expect(await verifyMetaSignature(secret, utf8Body, header)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses to verify with an empty secret (a deployment mistake, not attacker input)", async () => {
    const header = `sha256=${"0".repeat(64)}`;
    await expect(verifyMetaSignature("", utf8Body, header)).rejects.toThrow(/empty/);
  });
});

describe("360dialog x-360dialog-signature", () => {
  it("verifies the bare hex digest and rejects the rest", async () => {
    const hex = await hexHmacSha256(secret, utf8Body);
    expect(await verify360dialogSignature(secret, utf8Body, hex)).toEqual({ ok: true });
    expect(await verify360dialogSignature(secret, utf8Body, `sha256=${hex}`)).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(await verify360dialogSignature("otro", utf8Body, hex)).toEqual({ ok: false, reason: "mismatch" });
    expect(await verify360dialogSignature(secret, utf8Body, undefined)).toEqual({ ok: false, reason: "missing" });
  });
});

describe("Twilio X-Twilio-Signature", () => {
  // Twilio's published example ("Webhooks security" guide): auth token 12345.
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const params = {
    CallSid: "CA1234567890ABCDE",
    Caller: "+12349013030",
    Digits: "1234",
    From: "+12349013030",
    To: "+18005551212",
  };
  const expected = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

  it("reproduces Twilio's published signature", async () => {
    expect(await twilioSignature("12345", url, params)).toBe(expected);
  });

  it("verifies it from a form posted in any order", async () => {
    const form = new URLSearchParams(
      "To=%2B18005551212&CallSid=CA1234567890ABCDE&Digits=1234&From=%2B12349013030&Caller=%2B12349013030",
    );
    expect(await verifyTwilioSignature("12345", url, form, expected)).toEqual({ ok: true });
    expect(await verifyTwilioSignature("12345", url, params, expected)).toEqual({ ok: true });
  });

  it("rejects another token, URL, query or parameter value", async () => {
    const mismatch = { ok: false, reason: "mismatch" };
    expect(await verifyTwilioSignature("54321", url, params, expected)).toEqual(mismatch);
    expect(await verifyTwilioSignature("12345", url.replace("bar=2", "bar=3"), params, expected)).toEqual(mismatch);
    expect(await verifyTwilioSignature("12345", url, { ...params, Digits: "9999" }, expected)).toEqual(mismatch);
    expect(await verifyTwilioSignature("12345", url, { ...params, Extra: "" }, expected)).toEqual(mismatch);
  });

  it("accepts the URL with or without its default port, as twilio-node does", async () => {
    const withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    expect(await verifyTwilioSignature("12345", withPort, params, expected)).toEqual({ ok: true });
    const signedWithPort = await twilioSignature("12345", withPort, params);
    expect(await verifyTwilioSignature("12345", url, params, signedWithPort)).toEqual({ ok: true });
  });

  it("signs repeated names once per distinct value, values sorted; empty values add the name", async () => {
    const form = new URLSearchParams("b=2&a=z&a=y&a=z&c=");
    // twilio-node: sorted names, Set of values sorted: "a"+"y", "a"+"z", "b"+"2", "c"+"".
    const manual = await twilioSignature("tok", "https://x.test/h", { ayaz: "", b2c: "" });
    expect(await twilioSignature("tok", "https://x.test/h", form)).toBe(manual);
    expect(await twilioSignature("tok", "https://x.test/h", { a: ["z", "y"], b: "2", c: "" })).toBe(manual);
  });

  it("reports missing and malformed headers", async () => {
    expect(await verifyTwilioSignature("12345", url, params, null)).toEqual({ ok: false, reason: "missing" });
    for (const header of [expected.slice(1), `${expected}=`, "!".repeat(28), "AAAA", "a".repeat(10_000)])
      expect(await verifyTwilioSignature("12345", url, params, header)).toEqual({ ok: false, reason: "malformed" });
  });

  it("does not throw on an unparseable configured URL", async () => {
    expect(await verifyTwilioSignature("12345", "not a url", params, expected)).toEqual({
      ok: false,
      reason: "mismatch",
    });
  });
});

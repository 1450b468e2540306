import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64 } from "./base64.ts";
import { openJson, sealJson, SecretEnvelopeError, type EnvelopeBinding } from "./secret-envelope.ts";

const SECRET = "s".repeat(16) + "0123456789abcdef0123";
const OTHER_SECRET = "t".repeat(40);
const ROW: EnvelopeBinding = {
  purpose: "whatsapp/channel-credentials",
  boundTo: "7f1d3c2a-0000-4000-8000-000000000001",
};
const VALUE = { appSecret: "a1b2c3", accessToken: "EAAG…ñ" };

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SecretEnvelopeError);
    return (e as SecretEnvelopeError).reason;
  }
  throw new Error("opened");
}

describe("secret envelope", () => {
  it("round-trips, with a fresh IV each time and no plaintext in the envelope", async () => {
    const a = await sealJson(VALUE, SECRET, ROW);
    const b = await sealJson(VALUE, SECRET, ROW);
    expect(a).toMatch(/^zsec1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("a1b2c3");
    expect(await openJson(a, SECRET, ROW)).toEqual(VALUE);
    expect(await openJson(b, SECRET, ROW)).toEqual(VALUE);
  });

  it("does not open with another secret", async () => {
    const sealed = await sealJson(VALUE, SECRET, ROW);
    expect(await reason(openJson(sealed, OTHER_SECRET, ROW))).toBe("unopenable");
  });

  it("does not open after any byte of IV or ciphertext (tag included) is altered", async () => {
    const sealed = await sealJson(VALUE, SECRET, ROW);
    const [prefix, iv, ct] = sealed.split(".") as [string, string, string];
    const flip = (b64: string, at: number) => {
      const bytes = base64ToBytes(b64);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      return bytesToBase64(bytes);
    };
    const ctLength = base64ToBytes(ct).length;
    for (const tampered of [
      `${prefix}.${flip(iv, 0)}.${ct}`,
      `${prefix}.${iv}.${flip(ct, 0)}`,
      `${prefix}.${iv}.${flip(ct, ctLength - 1)}`,
    ]) {
      expect(await reason(openJson(tampered, SECRET, ROW))).toBe("unopenable");
    }
  });

  it("is bound to its row: moved to another id (or another purpose) it does not open", async () => {
    const sealed = await sealJson(VALUE, SECRET, ROW);
    expect(await reason(openJson(sealed, SECRET, { ...ROW, boundTo: "7f1d3c2a-0000-4000-8000-000000000002" }))).toBe(
      "unopenable",
    );
    expect(await reason(openJson(sealed, SECRET, { ...ROW, purpose: "cfdi/other" }))).toBe("unopenable");
  });

  it("rejects a secret shorter than 32 characters, sealing and opening", async () => {
    expect(await reason(sealJson(VALUE, "short-secret", ROW))).toBe("short_secret");
    const sealed = await sealJson(VALUE, SECRET, ROW);
    expect(await reason(openJson(sealed, "x".repeat(31), ROW))).toBe("short_secret");
  });

  it("reports what is not an envelope as malformed", async () => {
    for (const bad of ["", "zsec1", "zsec2.AAAA.AAAA", "zsec1.not base64!.AAAA", "zsec1.AAAA.AAAA"]) {
      expect(await reason(openJson(bad, SECRET, ROW)), bad).toBe("malformed");
    }
  });
});

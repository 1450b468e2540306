import { describe, expect, it } from "vitest";
import { base64UrlFromBytes, base64UrlFromText } from "./base64url.ts";
import { constantTimeEqual, sha256Hex } from "./digest.ts";

describe("encoding", () => {
  it("base64url has no padding and no + or /", () => {
    expect(base64UrlFromBytes(new Uint8Array([251, 255, 191]))).toBe("-_-_");
    expect(base64UrlFromText("ñ")).toBe("w7E");
  });
  it("sha256Hex matches the published vector", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("constantTimeEqual", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
  });
});

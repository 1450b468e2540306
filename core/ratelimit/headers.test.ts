import { describe, expect, it } from "vitest";
import { formatPolicyItem, formatStateItem, retryAfterSeconds } from "./headers.ts";

describe("RateLimit fields", () => {
  it("formats structured-field items", () => {
    expect(formatPolicyItem({ name: "user", quota: 100, windowSeconds: 60 })).toBe('"user";q=100;w=60');
    expect(formatStateItem({ name: "user", remaining: 19.7, resetSeconds: 0.4 })).toBe('"user";r=19;t=1');
    expect(formatStateItem({ name: 'a"b\\', remaining: -1, resetSeconds: 0 })).toBe('"a\\"b\\\\";r=0;t=0');
    expect(() => formatPolicyItem({ name: "ñ", quota: 1, windowSeconds: 1 })).toThrow(RangeError);
  });

  it("rounds Retry-After up, at least 1 s", () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(600)).toBe(1);
    expect(retryAfterSeconds(1_001)).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import { dailyQuotaLimit, ipPolicy, sanitizeOverrides, userPolicy } from "./policies.ts";

describe("plan policies", () => {
  it("uses the seed's numbers", () => {
    expect(userPolicy("free")).toEqual({ limit: 100, burst: 20, windowSeconds: 60 });
    expect(userPolicy("pro")).toEqual({ limit: 1_000, burst: 100, windowSeconds: 60 });
    expect(userPolicy("enterprise")).toEqual({ limit: 10_000, burst: 1_000, windowSeconds: 60 });
    expect(ipPolicy()).toEqual({ limit: 1_000, burst: 1_000, windowSeconds: 60 });
    expect(dailyQuotaLimit("whatsapp:send")).toBe(1_000);
  });

  it("applies overrides, clamps the burst to the limit, and scales", () => {
    expect(userPolicy("enterprise", { userPerMinute: 50_000 })).toEqual({
      limit: 50_000,
      burst: 1_000,
      windowSeconds: 60,
    });
    expect(userPolicy("free", { userBurst: 500 })).toEqual({ limit: 100, burst: 100, windowSeconds: 60 });
    expect(userPolicy("free", {}, 10)).toEqual({ limit: 1_000, burst: 200, windowSeconds: 60 });
    expect(dailyQuotaLimit("whatsapp:send", { "whatsapp:send": 5_000 })).toBe(5_000);
  });

  it("drops unknown keys and non-positive or non-integer values from the jsonb column", () => {
    expect(sanitizeOverrides({ userPerMinute: 10, userBurst: 0, "whatsapp:send": 2.5, other: 3 })).toEqual({
      userPerMinute: 10,
    });
    expect(sanitizeOverrides(null)).toEqual({});
    expect(sanitizeOverrides([1])).toEqual({});
    expect(sanitizeOverrides({ userBurst: "5" })).toEqual({});
  });
});

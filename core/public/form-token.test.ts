import { describe, expect, it } from "vitest";
import { checkFormToken, FORM_TOKEN_TTL_SECONDS, issueFormToken } from "./form-token.ts";

const SECRET = "s3cret-for-tests-only-0123456789abcdef";

describe("form tokens", () => {
  it("accepts a token for the same link within its lifetime", async () => {
    const t = await issueFormToken(SECRET, "hash-a", 1_800_000_000_000);
    expect(await checkFormToken(SECRET, "hash-a", t, 1_800_000_000_000 + 60_000)).toEqual({ ok: true });
  });
  it("rejects another link's token, another secret, a tampered or expired token", async () => {
    const now = 1_800_000_000_000;
    const t = await issueFormToken(SECRET, "hash-a", now);
    expect(await checkFormToken(SECRET, "hash-b", t, now)).toEqual({ ok: false, reason: "mismatch" });
    expect(await checkFormToken("another-secret-0123456789abcdefghij", "hash-a", t, now)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    const [ts, mac] = t.split(".") as [string, string];
    expect(await checkFormToken(SECRET, "hash-a", `${Number(ts) + 1}.${mac}`, now)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(await checkFormToken(SECRET, "hash-a", t, now + (FORM_TOKEN_TTL_SECONDS + 1) * 1000)).toEqual({
      ok: false,
      reason: "expired",
    });
    for (const bad of [undefined, "", "abc", `${ts}.short`])
      expect((await checkFormToken(SECRET, "hash-a", bad, now)).ok).toBe(false);
  });
});

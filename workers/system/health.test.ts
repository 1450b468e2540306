import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { measuredApi } from "../../test/support/harness.ts";
import { READY_CHECK_TTL_MS } from "./health.ts";

describe("GET /healthz", () => {
  it("answers without auth and echoes a request id", async () => {
    const res = await exports.default.fetch("http://crm.test/healthz", { headers: { "x-request-id": "req-12345678" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toBe("req-12345678");
  });
});

interface Ready {
  status: string;
  checks: { database: { ok: boolean; checkedAt: string } };
}

describe("GET /readyz", () => {
  it("asks the database at most once per 5 s per isolate, however many probes arrive (it is not rate limited)", async () => {
    const first = await measuredApi("/readyz");
    expect(first.res.status).toBe(200);
    const checked = ((await first.res.json()) as Ready).checks.database.checkedAt;

    const burst = await Promise.all(Array.from({ length: 20 }, () => measuredApi("/readyz")));
    for (const { res, roundTrips } of burst) {
      expect(res.status).toBe(200);
      expect(roundTrips).toBe(0);
      expect(((await res.json()) as Ready).checks.database).toMatchObject({ ok: true, checkedAt: checked });
    }

    await new Promise((resolve) => setTimeout(resolve, READY_CHECK_TTL_MS + 200));
    const later = await measuredApi("/readyz");
    expect(later.roundTrips).toBe(1);
    expect(Date.parse(((await later.res.json()) as Ready).checks.database.checkedAt)).toBeGreaterThan(
      Date.parse(checked),
    );
  });
});

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("GET /healthz", () => {
  it("answers without auth and echoes a request id", async () => {
    const res = await exports.default.fetch("http://crm.test/healthz", { headers: { "x-request-id": "req-12345678" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toBe("req-12345678");
  });
});

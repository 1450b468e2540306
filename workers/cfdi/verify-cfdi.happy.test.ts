import { describe, expect, it } from "vitest";
import { api, createTenant, problem, tokenFor } from "../../test/support/harness.ts";
import realInvoice from "../../test/fixtures/cfdi/cfdi40-real.xml?raw";
import signedInvoice from "../../test/fixtures/cfdi/cfdi40-valid.xml?raw";

describe("POST /v1/cfdi/verify", () => {
  it("verifies a real stamped third-party invoice and one signed with SAT's test CSD", async () => {
    const token = await tokenFor(await createTenant());
    for (const xml of [realInvoice, signedInvoice]) {
      const res = await api("/v1/cfdi/verify", {
        method: "POST",
        token,
        body: xml,
        headers: { "content-type": "application/xml" },
      });
      expect(res.status).toBe(200);
      const report = (await res.json()) as { valid: boolean; selloValid: boolean; errors: unknown[] };
      expect(report.errors).toEqual([]);
      expect(report).toMatchObject({ valid: true, selloValid: true });
    }
    const stamped = (await (
      await api("/v1/cfdi/verify", {
        method: "POST",
        token,
        body: realInvoice,
        headers: { "content-type": "text/xml" },
      })
    ).json()) as { timbre?: { UUID?: string; uuid?: string } };
    expect(stamped.timbre).toBeDefined();
  });

  it("reports a tampered invoice as invalid (200, valid: false)", async () => {
    const token = await tokenFor(await createTenant());
    const tampered = signedInvoice.replace(
      /Total="([0-9.]+)"/,
      (_m: string, t: string) => `Total="${(Number(t) + 1).toFixed(2)}"`,
    );
    expect(tampered).not.toBe(signedInvoice);
    const res = await api("/v1/cfdi/verify", {
      method: "POST",
      token,
      body: tampered,
      headers: { "content-type": "application/xml" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ valid: false, selloValid: false });
  });

  it("rejects non-XML bodies and requires a token", async () => {
    const token = await tokenFor(await createTenant());
    const json = await api("/v1/cfdi/verify", { method: "POST", token, json: { xml: "<x/>" } });
    expect(json.status).toBe(415);
    expect((await problem(json)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const empty = await api("/v1/cfdi/verify", {
      method: "POST",
      token,
      body: " ",
      headers: { "content-type": "application/xml" },
    });
    expect(empty.status).toBe(400);
    const garbage = await api("/v1/cfdi/verify", {
      method: "POST",
      token,
      body: "<<<not xml",
      headers: { "content-type": "application/xml" },
    });
    expect(garbage.status).toBe(200);
    expect(await garbage.json()).toMatchObject({ valid: false });
    expect(
      (
        await api("/v1/cfdi/verify", {
          method: "POST",
          body: signedInvoice,
          headers: { "content-type": "application/xml" },
        })
      ).status,
    ).toBe(401);
  });
});

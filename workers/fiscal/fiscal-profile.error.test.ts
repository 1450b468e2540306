import { describe, expect, it } from "vitest";
import { base64ToBytes } from "../../core/encoding/base64.ts";
import { api, createTenant, problem, tokenFor } from "../../test/support/harness.ts";
import { SAT_TEST_CSD } from "../../test/support/sat-test-csd.ts";
import { csdForm, EKU_PROFILE } from "../../test/support/invoicing-fixtures.ts";

async function adminOf(withProfile: Record<string, unknown> | null = EKU_PROFILE) {
  const tenant = await createTenant();
  const admin = await tokenFor(tenant, { role: "admin" });
  if (withProfile) {
    const res = await api("/v1/fiscal-profile", { method: "PUT", token: admin, json: withProfile });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  return { tenant, admin };
}

function upload(token: string, body: FormData | string, headers: Record<string, string> = {}) {
  return api("/v1/fiscal-profile/csd", { method: "POST", token, body, headers });
}

describe("fiscal profile: refusals", () => {
  it("every problem of a profile at once, in Spanish, naming its field", async () => {
    const { admin } = await adminOf(null);
    const res = await api("/v1/fiscal-profile", {
      method: "PUT",
      token: admin,
      json: {
        rfc: "XAXX010101000",
        razonSocial: " ACME ",
        regimenFiscal: "612",
        lugarExpedicion: "86000",
        serie: "A|B",
      },
    });
    expect(res.status).toBe(422);
    const p = await problem(res);
    expect(p.errors?.map((e) => e.path).sort()).toEqual(["body.razonSocial", "body.rfc", "body.serie"]);
    const persona = await api("/v1/fiscal-profile", {
      method: "PUT",
      token: admin,
      json: { ...EKU_PROFILE, regimenFiscal: "612" },
    });
    expect(persona.status).toBe(422);
    expect((await problem(persona)).errors?.[0]).toMatchObject({ path: "body.regimenFiscal", code: "REGIMEN_PERSONA" });
    const unknown = await api("/v1/fiscal-profile", {
      method: "PUT",
      token: admin,
      json: { ...EKU_PROFILE, regimenFiscal: "999" },
    });
    expect((await problem(unknown)).errors?.[0]).toMatchObject({ code: "REGIMEN_UNKNOWN" });
  });

  it("only admins write; a user reads", async () => {
    const { tenant } = await adminOf();
    const manager = await tokenFor(tenant, { role: "manager" });
    expect((await api("/v1/fiscal-profile", { method: "PUT", token: manager, json: EKU_PROFILE })).status).toBe(403);
    expect((await upload(manager, csdForm())).status).toBe(403);
    expect(
      (
        await api("/v1/fiscal-profile/pac", {
          method: "PUT",
          token: manager,
          json: { provider: "sandbox", environment: "test" },
        })
      ).status,
    ).toBe(403);
  });

  it("another tenant never sees the profile (RLS)", async () => {
    await adminOf();
    const other = await createTenant();
    expect((await api("/v1/fiscal-profile", { token: await tokenFor(other) })).status).toBe(404);
  });

  it("a CSD that is not the profile's, a wrong password, swapped files or missing parts → 422 naming the field; nothing stored", async () => {
    const { admin } = await adminOf({ ...EKU_PROFILE, rfc: "AAA010101AAA" });
    const other = await upload(admin, csdForm());
    expect(other.status).toBe(422);
    expect((await problem(other)).errors?.[0]).toMatchObject({ path: "body.cer", code: "CSD_RFC_MISMATCH" });

    const { admin: eku } = await adminOf();
    const cases: [FormData, string, string][] = [
      [csdForm({ password: "incorrecta" }), "body.password", "KEY_PASSWORD"],
      [
        csdForm({ cer: base64ToBytes(SAT_TEST_CSD.key), key: base64ToBytes(SAT_TEST_CSD.cer) }),
        "body.cer",
        "CERT_INVALID",
      ],
      [csdForm({ key: new TextEncoder().encode("no soy una llave") }), "body.key", "KEY_INVALID"],
    ];
    for (const [form, path, code] of cases) {
      const res = await upload(eku, form);
      expect(res.status, code).toBe(422);
      expect((await problem(res)).errors?.[0], code).toMatchObject({ path, code });
    }
    const missing = new FormData();
    missing.set("cer", new File([base64ToBytes(SAT_TEST_CSD.cer)], "a.cer"));
    missing.set("password", "x");
    const res = await upload(eku, missing);
    expect(res.status).toBe(422);
    expect((await problem(res)).errors?.[0]?.path).toBe("body.key");
    expect((await api("/v1/fiscal-profile/csd", { token: eku })).status).toBe(404);
  });

  it("a CSD before the profile is a 409; the RFC cannot change under a loaded CSD (409)", async () => {
    const { admin: bare } = await adminOf(null);
    expect((await upload(bare, csdForm())).status).toBe(409);
    const { admin } = await adminOf();
    expect((await upload(admin, csdForm())).status).toBe(200);
    const change = await api("/v1/fiscal-profile", {
      method: "PUT",
      token: admin,
      json: { ...EKU_PROFILE, rfc: "AAA010101AAA" },
    });
    expect(change.status).toBe(409);
    expect((await problem(change)).detail).toContain("CSD");
  });

  it("PAC credentials that do not fit the provider → 422 naming them; before a profile → 409", async () => {
    const { admin: bare } = await adminOf(null);
    expect(
      (
        await api("/v1/fiscal-profile/pac", {
          method: "PUT",
          token: bare,
          json: { provider: "sandbox", environment: "test" },
        })
      ).status,
    ).toBe(409);
    const { admin } = await adminOf();
    const cases: [Record<string, unknown>, string][] = [
      [{ provider: "finkok", environment: "test", credentials: { username: "u" } }, "body.credentials.password"],
      [{ provider: "sw", environment: "test", credentials: {} }, "body.credentials.user"],
      [
        { provider: "finkok", environment: "test", credentials: { username: "u", password: "p", token: "t" } },
        "body.credentials.token",
      ],
      [{ provider: "sandbox", environment: "test", credentials: { token: "t" } }, "body.credentials.token"],
      [
        { provider: "sw", environment: "test", credentials: { token: "t", user: "u", password: "p" } },
        "body.credentials.token",
      ],
    ];
    for (const [json, path] of cases) {
      const res = await api("/v1/fiscal-profile/pac", { method: "PUT", token: admin, json });
      expect(res.status, JSON.stringify(json)).toBe(422);
      expect(
        (await problem(res)).errors?.map((e) => e.path),
        JSON.stringify(json),
      ).toContain(path);
    }
  });

  it("uploads past the limits: a file over 16 KiB → 422, a body over 64 KiB → 413, 1 MiB of parts refused fast", async () => {
    const { admin } = await adminOf();
    const big = await upload(admin, csdForm({ cer: new Uint8Array(17 * 1024) }));
    expect(big.status).toBe(422);
    expect((await problem(big)).errors?.[0]?.path).toBe("body.cer");

    const boundary = "x";
    const parts = `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n`.repeat(20_000);
    const started = performance.now();
    const flood = await upload(admin, `${parts}--${boundary}--\r\n`, {
      "content-type": `multipart/form-data; boundary=${boundary}`,
    });
    expect(flood.status).toBe(413);
    await flood.arrayBuffer();
    expect(performance.now() - started).toBeLessThan(2_000);

    const json = await upload(admin, "{}", { "content-type": "application/json" });
    expect(json.status).toBeGreaterThanOrEqual(400);
    expect(json.status).toBeLessThan(500);
  });
});

import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";

describe("customers: bad input", () => {
  it("reports fiscal problems as a 422 with Spanish field errors and writes nothing", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ rfc: "ABC123", razonSocial: "X" }, ["body.rfc"]],
      [{ rfc: "FEM150230KJ4", razonSocial: "X" }, ["body.rfc"]], // 30 de febrero
      [{ rfc: "FEM150312KJ4", razonSocial: "X", regimenFiscal: "612" }, ["body.regimenFiscal"]], // física regime, moral RFC
      [{ razonSocial: "X", codigoPostal: "4410" }, ["body.codigoPostal"]],
      [{ rfc: "XAXX010101000", razonSocial: "X", usoCfdi: "G03" }, ["body.usoCfdi"]],
      [{ razonSocial: "X", usoCfdi: "ZZZ" }, ["body.usoCfdi"]],
    ];
    for (const [json, paths] of cases) {
      const res = await api("/v1/customers", { method: "POST", token, json });
      expect(res.status, JSON.stringify(json)).toBe(422);
      const body = (await problem(res)) as { errors?: { path: string; message: string }[] };
      expect(body.errors?.map((e) => e.path)).toEqual(paths);
      expect(body.errors?.[0]?.message).toMatch(/^(El|Con) /);
    }
    expect(await ownerSql`select count(*)::int as n from customers where tenant_id = ${tenant.id}`).toEqual([{ n: 0 }]);
    expect(await ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenant.id}`).toEqual([{ n: 0 }]);
  });

  it("validates shape: razón social required, E.164 phones, email, ids", async () => {
    const token = await tokenFor(await createTenant());
    const res = await api("/v1/customers", { method: "POST", token, json: { whatsappPhone: "12", email: "nope" } });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.path).sort()).toEqual([
      "body.email",
      "body.razonSocial",
      "body.whatsappPhone",
    ]);
    expect((await api("/v1/customers/xyz", { token })).status).toBe(400);
    expect((await api("/v1/customers?sort=score", { token })).status).toBe(400);
    expect(
      (await api(`/v1/customers/${crypto.randomUUID()}`, { method: "PATCH", token, json: { razonSocial: "Y" } }))
        .status,
    ).toBe(404);
    expect(
      (await api(`/v1/customers/${crypto.randomUUID()}`, { method: "PATCH", token, json: { rfc: "FEM150312KJ4" } }))
        .status,
    ).toBe(404);
  });

  it("checks a fiscal PATCH against the stored fields", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const created = (await (
      await api("/v1/customers", {
        method: "POST",
        token,
        json: { rfc: "FEM150312KJ4", razonSocial: "X", regimenFiscal: "601" },
      })
    ).json()) as { id: string };
    const res = await api(`/v1/customers/${created.id}`, { method: "PATCH", token, json: { rfc: "HEVL850101AB1" } });
    expect(res.status).toBe(422);
    expect((await problem(res)).errors?.map((e) => e.path)).toEqual(["body.regimenFiscal"]);
    const ok = await api(`/v1/customers/${created.id}`, {
      method: "PATCH",
      token,
      json: { rfc: "HEVL850101AB1", regimenFiscal: "612" },
    });
    expect(ok.status).toBe(200);
  });

  it("answers 412 to a stale or foreign If-Match and changes nothing", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const created = (await (
      await api("/v1/customers", { method: "POST", token, json: { razonSocial: "Original" } })
    ).json()) as { id: string };
    for (const ifMatch of ['"v2"', "*", '"abc"']) {
      const res = await api(`/v1/customers/${created.id}`, {
        method: "PATCH",
        token,
        headers: { "if-match": ifMatch },
        json: { razonSocial: "Cambio" },
      });
      expect(res.status, ifMatch).toBe(412);
    }
    const fiscal = await api(`/v1/customers/${created.id}`, {
      method: "PATCH",
      token,
      headers: { "if-match": '"v7"' },
      json: { codigoPostal: "44100" },
    });
    expect(fiscal.status).toBe(412);
    const row = await ownerSql`select razon_social, version, codigo_postal from customers where id = ${created.id}`;
    expect(row).toEqual([{ razon_social: "Original", version: 1, codigo_postal: null }]);
    expect((await ownerSql`select type from outbox where tenant_id = ${tenant.id}`).map((e) => e.type)).toEqual([
      "Customer.Created",
    ]);
  });
});

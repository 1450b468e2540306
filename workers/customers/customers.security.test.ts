import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";

describe("customers: access", () => {
  it("another tenant's token sees 404 on every {id} route and never the data in lists", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const tokenA = await tokenFor(a, { role: "admin" });
    const tokenB = await tokenFor(b, { role: "admin" });
    const created = (await (
      await api("/v1/customers", {
        method: "POST",
        token: tokenA,
        json: { razonSocial: "Secreto SA", rfc: "SEC200101AA1" },
      })
    ).json()) as { id: string };

    expect((await api(`/v1/customers/${created.id}`, { token: tokenB })).status).toBe(404);
    expect(
      (await api(`/v1/customers/${created.id}`, { method: "PATCH", token: tokenB, json: { razonSocial: "Hack" } }))
        .status,
    ).toBe(404);
    expect(
      (await api(`/v1/customers/${created.id}`, { method: "PATCH", token: tokenB, json: { rfc: "HAC200101AA1" } }))
        .status,
    ).toBe(404);
    expect((await api(`/v1/customers/${created.id}`, { method: "DELETE", token: tokenB })).status).toBe(404);
    for (const q of ["", "?q=secreto", "?q=SEC200101"]) {
      expect(
        ((await (await api(`/v1/customers${q}`, { token: tokenB })).json()) as { data: unknown[] }).data,
        q,
      ).toEqual([]);
    }
    const still = await ownerSql`select razon_social, version from customers where id = ${created.id}`;
    expect(still).toEqual([{ razon_social: "Secreto SA", version: 1 }]);
  });

  it("cannot link another tenant's contact", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const tokenA = await tokenFor(a);
    const tokenB = await tokenFor(b);
    const contact = (await (
      await api("/v1/contacts", { method: "POST", token: tokenA, json: { firstName: "Ajena" } })
    ).json()) as { id: string };
    const res = await api("/v1/customers", {
      method: "POST",
      token: tokenB,
      json: { razonSocial: "B", contactId: contact.id },
    });
    expect(res.status).toBe(422);
    const own = (await (
      await api("/v1/customers", { method: "POST", token: tokenB, json: { razonSocial: "B" } })
    ).json()) as { id: string };
    expect(
      (await api(`/v1/customers/${own.id}`, { method: "PATCH", token: tokenB, json: { contactId: contact.id } }))
        .status,
    ).toBe(422);
    expect(
      await ownerSql`select count(*)::int as n from customers where tenant_id = ${b.id} and contact_id is not null`,
    ).toEqual([{ n: 0 }]);
  });

  it("needs a token, and manager or admin to delete", async () => {
    const tenant = await createTenant();
    const userToken = await tokenFor(tenant, { role: "user" });
    expect((await api("/v1/customers")).status).toBe(401);
    const created = (await (
      await api("/v1/customers", { method: "POST", token: userToken, json: { razonSocial: "Z" } })
    ).json()) as { id: string };
    expect((await api(`/v1/customers/${created.id}`, { method: "DELETE", token: userToken })).status).toBe(403);
    expect(
      (
        await api(`/v1/customers/${created.id}`, {
          method: "DELETE",
          token: await tokenFor(tenant, { role: "manager" }),
        })
      ).status,
    ).toBe(204);
  });
});

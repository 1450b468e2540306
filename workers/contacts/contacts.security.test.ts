import { describe, expect, it } from "vitest";
import { api, createTenant, tokenFor } from "../../test/support/harness.ts";

describe("contacts: another tenant's token", () => {
  it("sees 404 on every {id} route and never the data in lists", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const tokenA = await tokenFor(a, { role: "admin" });
    const tokenB = await tokenFor(b, { role: "admin" });
    const created = (await (
      await api("/v1/contacts", {
        method: "POST",
        token: tokenA,
        json: { firstName: "Secreto", email: "secreto@a.mx" },
      })
    ).json()) as { id: string };

    expect((await api(`/v1/contacts/${created.id}`, { token: tokenB })).status).toBe(404);
    expect(
      (await api(`/v1/contacts/${created.id}`, { method: "PATCH", token: tokenB, json: { firstName: "Hack" } })).status,
    ).toBe(404);
    expect((await api(`/v1/contacts/${created.id}`, { method: "DELETE", token: tokenB })).status).toBe(404);
    const list = (await (await api("/v1/contacts?q=secreto", { token: tokenB })).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
    // The same email is free in another tenant (uniqueness is per tenant).
    expect(
      (await api("/v1/contacts", { method: "POST", token: tokenB, json: { firstName: "Otro", email: "secreto@a.mx" } }))
        .status,
    ).toBe(201);
    // A's contact is untouched.
    const still = (await (await api(`/v1/contacts/${created.id}`, { token: tokenA })).json()) as { firstName: string };
    expect(still.firstName).toBe("Secreto");
  });
});

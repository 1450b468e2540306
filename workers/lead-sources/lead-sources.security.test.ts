import { describe, expect, it } from "vitest";
import { api, createTenant, tokenFor } from "../../test/support/harness.ts";

describe("lead sources: access", () => {
  it("another tenant's token sees 404 on every {id} route and never the data in lists", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const tokenA = await tokenFor(a, { role: "admin" });
    const tokenB = await tokenFor(b, { role: "admin" });
    const created = (await (
      await api("/v1/lead-sources", { method: "POST", token: tokenA, json: { name: "Secreta" } })
    ).json()) as { id: string };

    expect((await api(`/v1/lead-sources/${created.id}`, { token: tokenB })).status).toBe(404);
    expect(
      (await api(`/v1/lead-sources/${created.id}`, { method: "PATCH", token: tokenB, json: { name: "Hack" } })).status,
    ).toBe(404);
    expect((await api(`/v1/lead-sources/${created.id}`, { method: "DELETE", token: tokenB })).status).toBe(404);
    expect(((await (await api("/v1/lead-sources", { token: tokenB })).json()) as { data: unknown[] }).data).toEqual([]);
    // Names are unique per tenant only.
    expect((await api("/v1/lead-sources", { method: "POST", token: tokenB, json: { name: "Secreta" } })).status).toBe(
      201,
    );
    expect(
      ((await (await api(`/v1/lead-sources/${created.id}`, { token: tokenA })).json()) as { name: string }).name,
    ).toBe("Secreta");
  });

  it("needs a token, and manager or admin to delete", async () => {
    const tenant = await createTenant();
    const userToken = await tokenFor(tenant, { role: "user" });
    expect((await api("/v1/lead-sources")).status).toBe(401);
    const created = (await (
      await api("/v1/lead-sources", { method: "POST", token: userToken, json: { name: "Volante" } })
    ).json()) as { id: string };
    expect((await api(`/v1/lead-sources/${created.id}`, { method: "DELETE", token: userToken })).status).toBe(403);
    expect(
      (
        await api(`/v1/lead-sources/${created.id}`, {
          method: "DELETE",
          token: await tokenFor(tenant, { role: "manager" }),
        })
      ).status,
    ).toBe(204);
  });
});

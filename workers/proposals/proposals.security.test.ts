import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { createProposal, seedCustomer, seedLead, THREE_ITEMS } from "../../test/support/proposal-fixtures.ts";

describe("proposals: another tenant's token", () => {
  it("sees 404 on every {id} route and never the data in lists", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const tokenA = await tokenFor(a, { role: "admin" });
    const tokenB = await tokenFor(b, { role: "admin" });
    const leadA = await seedLead(a.id);
    const p = await createProposal(tokenA, { title: "Secreta", leadId: leadA, items: THREE_ITEMS });
    const itemId = p.items[0]?.id;

    expect((await api(`/v1/proposals/${p.id}`, { token: tokenB })).status).toBe(404);
    expect(
      (await api(`/v1/proposals/${p.id}`, { method: "PATCH", token: tokenB, json: { title: "Hack" } })).status,
    ).toBe(404);
    expect(
      (await api(`/v1/proposals/${p.id}/items`, { method: "POST", token: tokenB, json: THREE_ITEMS[0] })).status,
    ).toBe(404);
    expect((await api(`/v1/proposals/${p.id}/items/${itemId}`, { method: "DELETE", token: tokenB })).status).toBe(404);
    expect((await api(`/v1/proposals/${p.id}/send`, { method: "POST", token: tokenB })).status).toBe(404);
    expect((await api(`/v1/proposals/${p.id}/revoke-link`, { method: "POST", token: tokenB })).status).toBe(404);
    expect((await api(`/v1/proposals/${p.id}`, { method: "DELETE", token: tokenB })).status).toBe(404);
    for (const qs of ["", "?q=secreta", `?leadId=${leadA}`, `?q=${p.proposalNumber}`]) {
      const list = (await (await api(`/v1/proposals${qs}`, { token: tokenB })).json()) as { data: unknown[] };
      expect(list.data, qs).toEqual([]);
    }
    // B cannot point its own proposal at A's lead or customer (FK checks bypass RLS; we do not).
    const customerA = await seedCustomer(a.id);
    for (const json of [{ leadId: leadA }, { customerId: customerA }]) {
      expect(
        (await api("/v1/proposals", { method: "POST", token: tokenB, json: { title: "X", ...json } })).status,
      ).toBe(422);
    }
    const own = await createProposal(tokenB, { customerId: await seedCustomer(b.id) });
    expect(
      (await api(`/v1/proposals/${own.id}`, { method: "PATCH", token: tokenB, json: { customerId: customerA } }))
        .status,
    ).toBe(422);

    const [row] = await ownerSql`select title, status, version from proposals where id = ${p.id}`;
    expect(row).toEqual({ title: "Secreta", status: "draft", version: 1 });
    expect(await ownerSql`select count(*)::int as n from proposal_line_items where proposal_id = ${p.id}`).toEqual([
      { n: 3 },
    ]);
  });

  it("needs manager to delete or revoke, and a token at all", async () => {
    const tenant = await createTenant();
    const user = await tokenFor(tenant, { role: "user" });
    const p = await createProposal(user, { customerId: await seedCustomer(tenant.id), items: [THREE_ITEMS[1]] });
    expect((await api(`/v1/proposals/${p.id}`, { method: "DELETE", token: user })).status).toBe(403);
    await api(`/v1/proposals/${p.id}/send`, { method: "POST", token: user });
    expect((await api(`/v1/proposals/${p.id}/revoke-link`, { method: "POST", token: user })).status).toBe(403);
    expect(
      (await api(`/v1/proposals/${p.id}/send`, { method: "POST", token: user, json: { rotate: true } })).status,
    ).toBe(403);
    expect((await api("/v1/proposals")).status).toBe(401);
    expect((await api(`/v1/proposals/${p.id}`)).status).toBe(401);
  });
});

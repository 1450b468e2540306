import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { createProposal, seedCustomer, seedLead } from "../../test/support/proposal-fixtures.ts";

describe("activities: another tenant's token, roles", () => {
  it("sees 404 on every {id} route and never the data in lists; cannot attach to another tenant's records", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const tokenA = await tokenFor(a, { role: "admin" });
    const tokenB = await tokenFor(b, { role: "admin" });
    const leadA = await seedLead(a.id);
    const customerA = await seedCustomer(a.id);
    const proposalA = await createProposal(tokenA, { customerId: customerA });
    const created = (await (
      await api("/v1/activities", {
        method: "POST",
        token: tokenA,
        json: { type: "note", leadId: leadA, body: "Secreto" },
      })
    ).json()) as { id: string };

    expect((await api(`/v1/activities/${created.id}`, { token: tokenB })).status).toBe(404);
    expect(
      (await api(`/v1/activities/${created.id}`, { method: "PATCH", token: tokenB, json: { pinned: true } })).status,
    ).toBe(404);
    expect((await api(`/v1/activities/${created.id}`, { method: "DELETE", token: tokenB })).status).toBe(404);
    for (const qs of ["", `?leadId=${leadA}`, "?type=note"]) {
      expect(
        ((await (await api(`/v1/activities${qs}`, { token: tokenB })).json()) as { data: unknown[] }).data,
        qs,
      ).toEqual([]);
    }
    const leadB = await seedLead(b.id);
    for (const ref of [{ leadId: leadA }, { customerId: customerA }, { proposalId: proposalA.id }]) {
      expect(
        (await api("/v1/activities", { method: "POST", token: tokenB, json: { type: "note", leadId: leadB, ...ref } }))
          .status,
      ).toBe(422);
    }
    expect(await ownerSql`select pinned, body from activities where id = ${created.id}`).toEqual([
      { pinned: false, body: "Secreto" },
    ]);
  });

  it("lets the author or a manager delete, not another user; needs a token", async () => {
    const tenant = await createTenant();
    const author = await tokenFor(tenant);
    const other = await tokenFor(tenant);
    const manager = await tokenFor(tenant, { role: "manager" });
    const leadId = await seedLead(tenant.id);
    const post = async () =>
      (
        (await (
          await api("/v1/activities", { method: "POST", token: author, json: { type: "note", leadId } })
        ).json()) as { id: string }
      ).id;
    const one = await post();
    const two = await post();
    expect((await api(`/v1/activities/${one}`, { method: "DELETE", token: other })).status).toBe(403);
    expect((await api(`/v1/activities/${one}`, { method: "DELETE", token: author })).status).toBe(204);
    expect((await api(`/v1/activities/${two}`, { method: "DELETE", token: manager })).status).toBe(204);
    expect((await api("/v1/activities")).status).toBe(401);
  });
});

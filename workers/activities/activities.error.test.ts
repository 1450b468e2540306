import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";
import { seedLead } from "../../test/support/proposal-fixtures.ts";

describe("activities: bad input", () => {
  it("reports field errors, unknown references (422) and refuses status_change through the API", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const bad = await api("/v1/activities", {
      method: "POST",
      token,
      json: { type: "status_change", leadId, occurredAt: "ayer" },
    });
    expect(bad.status).toBe(400);
    expect((await problem(bad)).errors?.map((e) => e.path).sort()).toEqual(["body.occurredAt", "body.type"]);
    const orphan = await api("/v1/activities", { method: "POST", token, json: { type: "note" } });
    expect((await problem(orphan)).errors?.map((e) => e.path)).toEqual(["body.leadId"]);
    for (const field of ["leadId", "customerId", "proposalId"]) {
      const res = await api("/v1/activities", {
        method: "POST",
        token,
        json: { type: "note", leadId, [field]: crypto.randomUUID() },
      });
      expect(res.status, field).toBe(422);
      expect((await problem(res)).errors?.map((e) => e.path)).toEqual([`body.${field}`]);
    }
    expect(await ownerSql`select count(*)::int as n from activities where tenant_id = ${tenant.id}`).toEqual([
      { n: 0 },
    ]);
    expect((await api("/v1/activities?sort=updated", { token })).status).toBe(400);
    expect((await api("/v1/activities?type=lunch", { token })).status).toBe(400);
    expect((await api("/v1/activities?cursor=xyz", { token })).status).toBe(400);
    expect((await api("/v1/activities/123", { token })).status).toBe(400);
    expect(
      (await api(`/v1/activities/${crypto.randomUUID()}`, { method: "PATCH", token, json: { pinned: true } })).status,
    ).toBe(404);
  });

  it("lets system status changes be pinned but not rewritten", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const id = crypto.randomUUID();
    await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${tenant.id}, true)`,
      ownerSql`insert into activities (id, tenant_id, type, lead_id, subject) values (${id}, ${tenant.id}, 'status_change', ${leadId}, 'Prospecto calificado')`,
    ]);
    expect((await api(`/v1/activities/${id}`, { method: "PATCH", token, json: { subject: "Otro" } })).status).toBe(409);
    const pinned = await api(`/v1/activities/${id}`, { method: "PATCH", token, json: { pinned: true } });
    expect(pinned.status).toBe(200);
    expect(await pinned.json()).toMatchObject({ pinned: true, expiresAt: null, subject: "Prospecto calificado" });
  });
});

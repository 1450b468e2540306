import { describe, expect, it } from "vitest";
import { api, createTenant, measuredApi, tokenFor } from "../../test/support/harness.ts";

interface LeadSource {
  id: string;
  name: string;
  description: string | null;
  isActive: boolean;
}

describe("lead sources", () => {
  it("creates, lists, reads, updates and deletes a source", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { role: "manager" });
    const res = await api("/v1/lead-sources", {
      method: "POST",
      token,
      json: { name: "Expo Guadalajara 2026", description: "Stand 14" },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as LeadSource;
    expect(created).toMatchObject({ name: "Expo Guadalajara 2026", description: "Stand 14", isActive: true });
    expect(res.headers.get("location")).toBe(`/v1/lead-sources/${created.id}`);
    await api("/v1/lead-sources", { method: "POST", token, json: { name: "Facebook Ads", isActive: false } });

    expect(await (await api(`/v1/lead-sources/${created.id}`, { token })).json()).toEqual(created);
    const all = (await (await api("/v1/lead-sources", { token })).json()) as { data: LeadSource[] };
    expect(all.data.map((s) => s.name)).toEqual(["Facebook Ads", "Expo Guadalajara 2026"]);
    const active = (await (await api("/v1/lead-sources?isActive=true&q=expo", { token })).json()) as {
      data: LeadSource[];
    };
    expect(active.data.map((s) => s.id)).toEqual([created.id]);

    const patched = await api(`/v1/lead-sources/${created.id}`, { method: "PATCH", token, json: { isActive: false } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as LeadSource).isActive).toBe(false);

    expect((await api(`/v1/lead-sources/${created.id}`, { method: "DELETE", token })).status).toBe(204);
    expect((await api(`/v1/lead-sources/${created.id}`, { token })).status).toBe(404);
  });

  it("list, get and create each cost one database round trip", async () => {
    const token = await tokenFor(await createTenant());
    const create = await measuredApi("/v1/lead-sources", { method: "POST", token, json: { name: "Referido" } });
    expect(create.res.status).toBe(201);
    expect(create.roundTrips).toBe(1);
    const id = ((await create.res.json()) as LeadSource).id;
    expect((await measuredApi("/v1/lead-sources", { token })).roundTrips).toBe(1);
    expect((await measuredApi(`/v1/lead-sources/${id}`, { token })).roundTrips).toBe(1);
    expect(
      (await measuredApi(`/v1/lead-sources/${id}`, { method: "PATCH", token, json: { name: "Referidos" } })).roundTrips,
    ).toBe(1);
  });
});

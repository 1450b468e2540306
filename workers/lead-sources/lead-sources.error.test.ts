import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";

describe("lead sources: bad input", () => {
  it("rejects a duplicate name regardless of case, on create and on rename", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    expect((await api("/v1/lead-sources", { method: "POST", token, json: { name: "Sitio web" } })).status).toBe(201);
    const dup = await api("/v1/lead-sources", { method: "POST", token, json: { name: "  SITIO WEB " } });
    expect(dup.status).toBe(409);
    expect((await problem(dup)).errors?.map((e) => e.path)).toEqual(["body.name"]);
    const other = (await (
      await api("/v1/lead-sources", { method: "POST", token, json: { name: "Google" } })
    ).json()) as { id: string };
    expect(
      (await api(`/v1/lead-sources/${other.id}`, { method: "PATCH", token, json: { name: "sitio web" } })).status,
    ).toBe(409);
    expect(await ownerSql`select count(*)::int as n from lead_sources where tenant_id = ${tenant.id}`).toEqual([
      { n: 2 },
    ]);
  });

  it("validates fields, ids and sort without a 500", async () => {
    const token = await tokenFor(await createTenant());
    const empty = await api("/v1/lead-sources", { method: "POST", token, json: { name: "  " } });
    expect(empty.status).toBe(400);
    expect((await problem(empty)).errors?.map((e) => e.path)).toEqual(["body.name"]);
    expect((await api("/v1/lead-sources/nope", { token })).status).toBe(400);
    expect((await api("/v1/lead-sources?sort=score", { token })).status).toBe(400);
    expect((await api(`/v1/lead-sources/${crypto.randomUUID()}`, { method: "PATCH", token, json: {} })).status).toBe(
      400,
    );
    expect(
      (await api(`/v1/lead-sources/${crypto.randomUUID()}`, { method: "PATCH", token, json: { name: "X" } })).status,
    ).toBe(404);
  });
});

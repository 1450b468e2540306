import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";

describe("GET /v1/me security", () => {
  it("rejects a request without a token (401)", async () => {
    const res = await api("/v1/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect((await problem(res)).code).toBe("UNAUTHORIZED");
  });

  it("gives 403 for a tenant that does not exist", async () => {
    const token = await tokenFor({ id: crypto.randomUUID() });
    const res = await api("/v1/me", { token });
    expect(res.status).toBe(403);
    expect((await problem(res)).detail).toContain("tenant does not exist");
  });

  it("gives 403 for a suspended tenant", async () => {
    const tenant = await createTenant({ status: "suspended" });
    const res = await api("/v1/me", { token: await tokenFor(tenant) });
    expect(res.status).toBe(403);
    expect((await problem(res)).detail).toContain("suspended");
  });

  it("does not let a user of tenant A appear in tenant B", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const userId = crypto.randomUUID();
    expect((await api("/v1/me", { token: await tokenFor(a, { userId }) })).status).toBe(200);
    const res = await api("/v1/me", { token: await tokenFor(b, { userId }) });
    expect(res.status).toBe(403);
    const rows = await ownerSql`select tenant_id from users where id = ${userId}`;
    expect(rows).toEqual([{ tenant_id: a.id }]);
  });

  it("gives 403 for a deactivated user", async () => {
    const tenant = await createTenant();
    const userId = crypto.randomUUID();
    const token = await tokenFor(tenant, { userId });
    expect((await api("/v1/me", { token })).status).toBe(200);
    await ownerSql`update users set is_active = false where id = ${userId}`;
    expect((await api("/v1/me", { token })).status).toBe(403);
  });
});

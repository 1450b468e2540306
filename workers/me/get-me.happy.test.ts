import { describe, expect, it } from "vitest";
import { api, measuredApi, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";

describe("GET /v1/me", () => {
  it("returns the caller's user, tenant and plan, provisioning the user on first use", async () => {
    const tenant = await createTenant({ plan: "pro", name: "Comercializadora Norte SA de CV" });
    const userId = crypto.randomUUID();
    const token = await tokenFor(tenant, { userId, role: "manager", email: "ana@norte.mx" });

    const res = await api("/v1/me", { token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      user: { id: string; role: string; email: string };
      tenant: { id: string; slug: string; name: string };
      plan: string;
    };
    expect(body.user).toMatchObject({ id: userId, role: "manager", email: "ana@norte.mx" });
    expect(body.tenant).toMatchObject({ id: tenant.id, slug: tenant.slug, name: "Comercializadora Norte SA de CV" });
    expect(body.plan).toBe("pro");
    expect((body.user as unknown as { createdAt: string }).createdAt).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    );

    const rows = await ownerSql`select tenant_id, role from users where id = ${userId}`;
    expect(rows).toEqual([{ tenant_id: tenant.id, role: "manager" }]);

    // Second call: same answer, no duplicate user.
    const again = await api("/v1/me", { token });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { user: { id: string } }).user.id).toBe(userId);
  });

  it("costs exactly one database round trip", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    await api("/v1/me", { token }); // warm the isolate's JWKS cache
    const { res, roundTrips, stats } = await measuredApi("/v1/me", { token });
    expect(res.status).toBe(200);
    expect(stats.wsConnections).toBe(0);
    expect(roundTrips).toBe(1);
  });

  it("takes identity-provider emails as they come: phone logins (empty email), apostrophes and IDN domains", async () => {
    const tenant = await createTenant();
    const cases: [string, string | null][] = [
      ["", null],
      ["o'neil@example.com", "o'neil@example.com"],
      ["josé@dominio-ñandú.mx", "josé@dominio-ñandú.mx"],
      ["ventas@xn--dominio-and-ixb.mx", "ventas@xn--dominio-and-ixb.mx"],
    ];
    for (const [email, stored] of cases) {
      const userId = crypto.randomUUID();
      const res = await api("/v1/me", { token: await tokenFor(tenant, { userId, email }) });
      expect(res.status, JSON.stringify(email)).toBe(200);
      expect(((await res.json()) as { user: { email: string | null } }).user.email).toBe(stored);
      expect(await ownerSql`select email from users where id = ${userId}`).toEqual([{ email: stored }]);
    }
  });

  it("a new user's first requests in parallel are all served (provisioning races never surface as 409)", async () => {
    const tenant = await createTenant();
    for (let round = 0; round < 10; round++) {
      const token = await tokenFor(tenant, { email: `paralelo${round}@example.mx` });
      const statuses = await Promise.all(
        Array.from({ length: 16 }, async () => (await api("/v1/me", { token })).status),
      );
      expect(statuses, `round ${round}`).toEqual(Array(16).fill(200));
    }
  });
});

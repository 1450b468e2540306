import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import type { Env } from "../../platform/env.ts";
import { testEnv } from "../../test/support/env.ts";
import { createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";

const OPS_TOKEN = "ops-".padEnd(48, "q");
const env: Env = { ...testEnv, OPS_API_TOKEN: OPS_TOKEN };
const app = createApp();

async function get(path: string, authorization?: string, e: Env = env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://crm.test${path}`, { headers: authorization ? { authorization } : {} }),
    e,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** Rows in each state; none due for the sweep (another suite runs it), so they stay as written. */
async function seedStates(tenantId: string): Promise<void> {
  const event = (id: string) => JSON.stringify({ id, tenantid: tenantId });
  const [p1, p2, d1, x1] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`insert into outbox (id, tenant_id, type, event, created_at, next_attempt_at, attempts, delivered_at, dead_at) values
      (${p1}, ${tenantId}, 'Lead.Created', ${event(p1)}::jsonb, '2026-11-30T10:00:00Z', now() + interval '1 day', 2, null, null),
      (${p2}, ${tenantId}, 'Lead.Created', ${event(p2)}::jsonb, '2026-11-30T11:00:00Z', now() + interval '1 day', 0, null, null),
      (${d1}, ${tenantId}, 'Lead.Created', ${event(d1)}::jsonb, '2026-11-30T09:00:00Z', now() + interval '1 day', 0, now(), null),
      (${x1}, ${tenantId}, 'Lead.Created', ${event(x1)}::jsonb, '2026-11-30T08:00:00Z', now() - interval '1 hour', 10, null, now())`,
  ]);
}

describe("GET /ops/outbox", () => {
  it("counts events per state, for one tenant or all", async () => {
    const tenant = await createTenant();
    await seedStates(tenant.id);
    const res = await get(`/ops/outbox?tenantId=${tenant.id}`, `Bearer ${OPS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      pending: 2,
      delivered: 1,
      dead: 1,
      oldestPendingAt: "2026-11-30T10:00:00.000Z",
    });

    const all = await get("/ops/outbox", `Bearer ${OPS_TOKEN}`);
    expect(all.status).toBe(200);
    const body = (await all.json()) as {
      pending: number;
      delivered: number;
      dead: number;
      oldestPendingAt: string | null;
    };
    expect(body.pending).toBeGreaterThanOrEqual(2);
    expect(body.delivered).toBeGreaterThanOrEqual(1);
    expect(body.dead).toBeGreaterThanOrEqual(1);
    expect(body.oldestPendingAt).not.toBeNull();

    const none = await get(`/ops/outbox?tenantId=${crypto.randomUUID()}`, `Bearer ${OPS_TOKEN}`);
    expect(await none.json()).toEqual({ pending: 0, delivered: 0, dead: 0, oldestPendingAt: null });
  });

  it("needs the operations token (a tenant admin's token is not it), and does not exist without one configured", async () => {
    const tenant = await createTenant();
    const admin = await tokenFor(tenant, { role: "admin" });
    for (const authorization of [undefined, `Bearer ${admin}`, `Bearer ${OPS_TOKEN}x`]) {
      const res = await get("/ops/outbox", authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
    }
    const unset = await get("/ops/outbox", `Bearer ${OPS_TOKEN}`, { ...env, OPS_API_TOKEN: undefined });
    expect(unset.status).toBe(404);
  });

  it("rejects a malformed tenant id with a 400 problem", async () => {
    const res = await get("/ops/outbox?tenantId=not-a-uuid", `Bearer ${OPS_TOKEN}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});

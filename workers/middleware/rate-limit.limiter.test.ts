// TenantLimiterDO itself (the real object in workerd): window roll-over and daily quotas with a
// controlled clock (`now`, honoured only when ENVIRONMENT=test), tenant isolation, how a tenant's
// limits reach it (database on first use, push on change), and the idle-key sweep.
import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import type { Env } from "../../platform/env.ts";
import { createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { testEnv } from "../../test/support/env.ts";
import { consumeQuota, limiterStub } from "../../durable-objects/tenant-limiter-client.ts";
import type { TenantLimiterDO } from "../../durable-objects/tenant-limiter.ts";

const OPS_TOKEN = "ops-".padEnd(48, "k");
const env: Env = { ...testEnv, RATE_LIMIT_SCALE: "1", OPS_API_TOKEN: OPS_TOKEN };
const app = createApp();

async function call(
  path: string,
  init: RequestInit & { token?: string; now?: number; e?: Env } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.now !== undefined) headers.set("x-test-now", String(init.now));
  headers.set("cf-connecting-ip", `203.0.113.${Math.floor(Math.random() * 250) + 1}`);
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://crm.test${path}`, { ...init, headers }), init.e ?? env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const stubFor = (tenantId: string) => limiterStub(env, tenantId);

describe("window roll-over (controlled clock)", () => {
  it("bursts every 12 s fill the minute at 100; the 101st waits for the first grants to leave it", async () => {
    const tenant = await createTenant({ plan: "free" });
    const stub = stubFor(tenant.id);
    const user = crypto.randomUUID();
    const t0 = Date.now();
    const allowedAt = async (now: number, n: number) => {
      const ds = await Promise.all(Array.from({ length: n }, () => stub.check(tenant.id, user, { now })));
      return ds.filter((d) => d.allowed).length;
    };
    // The bucket refills 20 tokens every 12 s; the window caps the minute at 100.
    for (const s of [0, 12, 24, 36, 48]) expect(await allowedAt(t0 + s * 1_000, 30)).toBe(20);
    const full = await stub.check(tenant.id, user, { now: t0 + 59_999 });
    expect(full).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    // At t0 + 60 s the t0 grants leave the window (t − 60 s, t]: a burst again.
    expect(await allowedAt(t0 + 60_000, 30)).toBe(20);
    expect(await stub.check(tenant.id, user, { now: t0 + 60_000 })).toMatchObject({
      allowed: false,
      retryAfterSeconds: 12,
    });
  });

  it("the clock option is ignored outside test runs", async () => {
    const tenant = await createTenant();
    const stub = stubFor(tenant.id);
    const user = crypto.randomUUID();
    await runInDurableObject(stub, async (instance: TenantLimiterDO) => {
      const real = (instance as unknown as { env: Env }).env;
      const saved = real.ENVIRONMENT;
      real.ENVIRONMENT = "production";
      try {
        for (let i = 0; i < 20; i++) await instance.check(tenant.id, user, { now: 0 });
        // With a clock of 0 the previous grants would be in the future; the real clock is used.
        expect((await instance.check(tenant.id, user, { now: Date.now() + 3_600_000 })).allowed).toBe(false);
      } finally {
        real.ENVIRONMENT = saved;
      }
    });
  });
});

describe("isolation", () => {
  it("two tenants never share state, even for the same user id", async () => {
    const [a, b] = await Promise.all([createTenant(), createTenant()]);
    const user = crypto.randomUUID();
    const now = Date.now();
    const ra = await Promise.all(Array.from({ length: 30 }, () => stubFor(a.id).check(a.id, user, { now })));
    const rb = await Promise.all(Array.from({ length: 30 }, () => stubFor(b.id).check(b.id, user, { now })));
    expect(ra.filter((d) => d.allowed)).toHaveLength(20);
    expect(rb.filter((d) => d.allowed)).toHaveLength(20);
    expect(await consumeQuota(env, a.id, "whatsapp:send", 1_000)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await consumeQuota(env, b.id, "whatsapp:send", 1)).toMatchObject({ allowed: true, remaining: 999 });
  });
});

describe("daily quota (whatsapp:send, 1,000 per tenant-local day)", () => {
  it("resets at local midnight in America/Mexico_City by default", async () => {
    const tenant = await createTenant();
    const stub = stubFor(tenant.id);
    const evening = Date.parse("2026-12-01T05:30:00Z"); // 23:30 on 30 Nov in CDMX (UTC−6)
    const midnight = Date.parse("2026-12-01T06:00:00Z");
    expect(await stub.consume(tenant.id, "whatsapp:send", 995, { now: evening })).toEqual({
      allowed: true,
      limit: 1_000,
      remaining: 5,
      resetAt: midnight,
    });
    expect(await stub.consume(tenant.id, "whatsapp:send", 6, { now: evening + 1 })).toMatchObject({
      allowed: false,
      remaining: 5,
    });
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, () => stub.consume(tenant.id, "whatsapp:send", 1, { now: midnight - 1 })),
    );
    expect(concurrent.filter((r) => r.allowed)).toHaveLength(5);
    expect(await stub.consume(tenant.id, "whatsapp:send", 1, { now: midnight })).toMatchObject({
      allowed: true,
      remaining: 999,
      resetAt: Date.parse("2026-12-02T06:00:00Z"),
    });
  });

  it("uses the tenant's time zone and per-tenant override from the database", async () => {
    const tenant = await createTenant({ plan: "enterprise" });
    await ownerSql`update tenants set timezone = 'America/Bogota', rate_limit_overrides = '{"whatsapp:send": 5000}' where id = ${tenant.id}`;
    const stub = stubFor(tenant.id);
    const r = await stub.consume(tenant.id, "whatsapp:send", 4_000, { now: Date.parse("2026-12-01T12:00:00Z") });
    expect(r).toEqual({ allowed: true, limit: 5_000, remaining: 1_000, resetAt: Date.parse("2026-12-02T05:00:00Z") }); // UTC−5
  });

  it("consumeQuota: the primitive for features", async () => {
    const tenant = await createTenant();
    const q = await consumeQuota(env, tenant.id, "whatsapp:send", 3);
    expect(q.allowed).toBe(true);
    expect(q.remaining).toBe(997);
    expect(q.resetAt).toBeInstanceOf(Date);
    expect(q.resetAt.getTime()).toBeGreaterThan(Date.now());
    expect(q.resetAt.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    await expect(consumeQuota(env, tenant.id, "unknown:quota", 1)).rejects.toThrow(/unknown daily quota/);
    expect(await consumeQuota(env, tenant.id, "msi:reminder", 2, { limit: 2 })).toMatchObject({
      allowed: true,
      remaining: 0,
    });
  });
});

describe("how the limiter learns the tenant's limits", () => {
  it("reads plan and overrides from the database on first use", async () => {
    const tenant = await createTenant({ plan: "pro" });
    await ownerSql`update tenants set rate_limit_overrides = '{"userPerMinute": 7, "userBurst": 3, "junk": "x"}' where id = ${tenant.id}`;
    const d = await stubFor(tenant.id).check(tenant.id, crypto.randomUUID());
    expect(d.policy).toEqual({ limit: 7, burst: 3, windowSeconds: 60 });
    expect(await stubFor(tenant.id).getLimits(tenant.id)).toMatchObject({
      plan: "pro",
      overrides: { userPerMinute: 7, userBurst: 3 },
      source: "database",
    });
  });

  it("a plan change through the operations route applies to the very next request", async () => {
    const tenant = await createTenant({ plan: "free" });
    const token = await tokenFor(tenant);
    const now = Date.now();
    const before = await Promise.all(Array.from({ length: 21 }, () => call("/v1/me", { token, now })));
    expect(before.filter((r) => r.status === 429)).toHaveLength(1);

    const put = await call(`/ops/tenants/${tenant.id}/limits`, {
      method: "PUT",
      headers: { authorization: `Bearer ${OPS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ plan: "pro", overrides: {} }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      plan: "pro",
      effective: { user: { perMinute: 1_000, burst: 100 }, dailyQuotas: { "whatsapp:send": 1_000 } },
    });
    const [row] = await ownerSql`select plan from tenants where id = ${tenant.id}`;
    expect(row?.plan).toBe("pro");

    // Same instant: the new plan's larger bucket (clamped tokens carry over, the capacity is now 100).
    const next = await call("/v1/me", { token, now: now + 600 });
    expect(next.status).toBe(200);
    expect(next.headers.get("ratelimit-policy")).toContain('"user";q=1000;w=60');

    // Downgrade with an override: effective at once, too.
    const down = await call(`/ops/tenants/${tenant.id}/limits`, {
      method: "PUT",
      headers: { authorization: `Bearer ${OPS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ plan: "free", overrides: { userPerMinute: 30, userBurst: 5 } }),
    });
    expect(down.status).toBe(200);
    const after = await call("/v1/me", { token, now: now + 600 });
    expect(after.headers.get("ratelimit-policy")).toContain('"user";q=30;w=60');
  });

  it("a plan change stops the tokens this isolate holds on lease under the old plan", async () => {
    const tenant = await createTenant({ plan: "pro" });
    const token = await tokenFor(tenant);
    for (let i = 0; i < 10; i++) expect((await call("/v1/me", { token })).status).toBe(200);
    const down = await call(`/ops/tenants/${tenant.id}/limits`, {
      method: "PUT",
      headers: { authorization: `Bearer ${OPS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ plan: "free", overrides: { userPerMinute: 30, userBurst: 5 } }),
    });
    expect(down.status).toBe(200);
    const next = await call("/v1/me", { token });
    expect(next.headers.get("ratelimit-policy")).toContain('"user";q=30;w=60');
  });

  it("the operations route needs the operations token, and does not exist without one", async () => {
    const tenant = await createTenant();
    const body = JSON.stringify({ plan: "enterprise" });
    const headers = { "content-type": "application/json" };
    expect((await call(`/ops/tenants/${tenant.id}/limits`, { method: "PUT", headers, body })).status).toBe(401);
    const adminJwt = await tokenFor(tenant, { role: "admin" });
    expect(
      (
        await call(`/ops/tenants/${tenant.id}/limits`, {
          method: "PUT",
          headers: { ...headers, authorization: `Bearer ${adminJwt}` },
          body,
        })
      ).status,
    ).toBe(401);
    const noOps: Env = { ...env, OPS_API_TOKEN: undefined };
    expect(
      (
        await call(`/ops/tenants/${tenant.id}/limits`, {
          method: "PUT",
          headers: { ...headers, authorization: `Bearer ${OPS_TOKEN}` },
          body,
          e: noOps,
        })
      ).status,
    ).toBe(404);
    const unknown = await call(`/ops/tenants/${crypto.randomUUID()}/limits`, {
      method: "PUT",
      headers: { ...headers, authorization: `Bearer ${OPS_TOKEN}` },
      body,
    });
    expect(unknown.status).toBe(404);
    const bad = await call(`/ops/tenants/${tenant.id}/limits`, {
      method: "PUT",
      headers: { ...headers, authorization: `Bearer ${OPS_TOKEN}` },
      body: JSON.stringify({ plan: "gold", overrides: { userPerMinute: -1 } }),
    });
    expect(bad.status).toBe(400);
  });
});

describe("persistence (write-behind)", () => {
  it("a restarted object continues from what it wrote to SQLite", async () => {
    const tenant = await createTenant();
    const stub = stubFor(tenant.id);
    const user = crypto.randomUUID();
    const t0 = Date.now();
    const first = await Promise.all(Array.from({ length: 25 }, () => stub.check(tenant.id, user, { now: t0 })));
    expect(first.filter((d) => d.allowed)).toHaveLength(20);
    await runInDurableObject(stub, (instance: TenantLimiterDO) => {
      const internals = instance as unknown as { flush(): void; entries: Map<string, unknown> };
      internals.flush();
      internals.entries.clear(); // what a restart loses: the in-memory state
    });
    // Reloaded from SQLite: still empty at t0, one token 600 ms later, and the window remembers 20.
    expect((await stub.check(tenant.id, user, { now: t0 })).allowed).toBe(false);
    expect(await stub.check(tenant.id, user, { now: t0 + 600 })).toMatchObject({ allowed: true, remaining: 0 });
  });
});

describe("idle keys", () => {
  it("the alarm drops keys idle for a whole window and keeps active ones", async () => {
    const tenant = await createTenant();
    const stub = stubFor(tenant.id);
    await stub.check(tenant.id, "idle-user", { now: Date.now() - 120_000 });
    await stub.check(tenant.id, "active-user");
    await stub.consume(tenant.id, "whatsapp:send", 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const keys = await runInDurableObject(stub, (_instance: TenantLimiterDO, state) =>
      state.storage.sql
        .exec<{ key: string }>("SELECT key FROM buckets UNION ALL SELECT key FROM quotas ORDER BY 1")
        .toArray()
        .map((r) => r.key),
    );
    expect(keys).toEqual(["user:active-user", "whatsapp:send"]);
  });
});

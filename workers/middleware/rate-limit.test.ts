// The rate-limit middleware through the real app, the real TenantLimiterDO and (when the test
// runner started it) real Redis behind the Upstash REST protocol. These suites run with the
// contract's numbers (RATE_LIMIT_SCALE=1); every test uses its own client IP and tenant.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../app.ts";
import type { Env } from "../../platform/env.ts";
import { createTenant, tokenFor } from "../../test/support/harness.ts";
import { testEnv } from "../../test/support/env.ts";
import { clientKey } from "./rate-limit.ts";

const app = createApp();
const upstash = testEnv as unknown as { TEST_UPSTASH_REDIS_REST_URL?: string; TEST_UPSTASH_REDIS_REST_TOKEN?: string };

// One env object per variant (config is validated once per env object).
const realLimits: Env = { ...testEnv, RATE_LIMIT_SCALE: "1" };
const infoLogs: Env = { ...realLimits, LOG_LEVEL: "info" };
const withUpstash: Env | undefined = upstash.TEST_UPSTASH_REDIS_REST_URL
  ? {
      ...realLimits,
      UPSTASH_REDIS_REST_URL: upstash.TEST_UPSTASH_REDIS_REST_URL,
      UPSTASH_REDIS_REST_TOKEN: upstash.TEST_UPSTASH_REDIS_REST_TOKEN,
    }
  : undefined;

let ipCounter = 0;
const freshIp = () => `198.51.${Math.floor(Math.random() * 250)}.${(ipCounter++ % 250) + 1}`;

async function call(
  path: string,
  opts: {
    token?: string;
    ip?: string;
    now?: number;
    method?: string;
    json?: unknown;
    env?: Env;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers = new Headers(opts.headers);
  if (opts.token !== undefined) headers.set("authorization", `Bearer ${opts.token}`);
  if (opts.ip) headers.set("cf-connecting-ip", opts.ip);
  if (opts.now !== undefined) headers.set("x-test-now", String(opts.now));
  if (opts.json !== undefined) headers.set("content-type", "application/json");
  const req = new Request(`http://crm.test${path}`, {
    method: opts.method ?? "GET",
    headers,
    body: opts.json === undefined ? null : JSON.stringify(opts.json),
  });
  const ctx = createExecutionContext();
  const res = await app.fetch(req, opts.env ?? realLimits, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const count = (rs: Response[], status: number) => rs.filter((r) => r.status === status).length;
/** Requests the limiter let through (whatever the handler then answered). */
const passed = (rs: Response[]) => rs.filter((r) => r.status !== 429).length;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("per-user limit (TenantLimiterDO)", () => {
  it("500 concurrent requests of one free-plan user: exactly the burst (20) at once, then the rate", async () => {
    const tenant = await createTenant({ plan: "free" });
    const token = await tokenFor(tenant);
    const ip = freshIp();
    const t0 = Date.now();
    const first = await Promise.all(Array.from({ length: 500 }, () => call("/v1/me", { token, ip, now: t0 })));
    expect(passed(first)).toBe(20);
    expect(count(first, 429)).toBe(480);

    const limited = first.find((r) => r.status === 429)!;
    expect(limited.headers.get("content-type")).toContain("application/problem+json");
    expect(limited.headers.get("retry-after")).toBe("1"); // next token in 600 ms
    expect(limited.headers.get("ratelimit-policy")).toBe('"user";q=100;w=60, "ip";q=1000;w=60');
    expect(limited.headers.get("ratelimit")).toMatch(/^"user";r=0;t=12, "ip";r=\d+;t=\d+$/);
    expect(await limited.json()).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfter: 1 });
    const ok = first.find((r) => r.status !== 429)!;
    expect(ok.headers.get("ratelimit-policy")).toContain('"user";q=100;w=60');

    // 100/min = one token per 600 ms: 3 s later exactly 5 more, however many ask.
    const later = await Promise.all(Array.from({ length: 50 }, () => call("/v1/me", { token, ip, now: t0 + 3_000 })));
    expect(passed(later)).toBe(5);
  });

  it("two users of one tenant do not share a bucket", async () => {
    const tenant = await createTenant({ plan: "free" });
    const [a, b] = await Promise.all([tokenFor(tenant), tokenFor(tenant)]);
    const now = Date.now();
    const ip = freshIp();
    const ra = await Promise.all(Array.from({ length: 25 }, () => call("/v1/me", { token: a, ip, now })));
    const rb = await Promise.all(Array.from({ length: 25 }, () => call("/v1/me", { token: b, ip, now })));
    expect(passed(ra)).toBe(20);
    expect(passed(rb)).toBe(20);
  });

  it("uses the tenant's plan: a pro user gets a burst of 100", async () => {
    const tenant = await createTenant({ plan: "pro" });
    const token = await tokenFor(tenant);
    const now = Date.now();
    const rs = await Promise.all(Array.from({ length: 120 }, () => call("/v1/me", { token, ip: freshIp(), now })));
    expect(passed(rs)).toBe(100);
    expect(rs.find((r) => r.status === 429)!.headers.get("ratelimit-policy")).toContain('"user";q=1000;w=60');
  });
});

describe("per-IP limit", () => {
  it("applies before JWT verification: with a bad token, 1,000 get 401 and the next one 429", async () => {
    const ip = freshIp();
    const now = Date.now();
    const rs: Response[] = [];
    for (let i = 0; i < 10; i++) {
      rs.push(
        ...(await Promise.all(Array.from({ length: 100 }, () => call("/v1/me", { token: "not.a.jwt", ip, now })))),
      );
    }
    expect(count(rs, 401)).toBe(1_000);
    expect(rs[0]!.headers.get("ratelimit-policy")).toBe('"ip";q=1000;w=60');
    const over = await call("/v1/me", { token: "not.a.jwt", ip, now });
    expect(over.status).toBe(429);
    expect(over.headers.get("ratelimit")).toMatch(/^"ip";r=0;t=\d+$/);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another address is unaffected.
    expect((await call("/v1/me", { token: "not.a.jwt", ip: freshIp(), now })).status).toBe(401);
  });

  it("keys on CF-Connecting-IP only: X-Forwarded-For cannot pick a fresh bucket", async () => {
    const ip = freshIp();
    const now = Date.now();
    await Promise.all(Array.from({ length: 1_000 }, () => call("/healthz-none", { ip, now })));
    const spoofed = await call("/v1/me", { ip, now, headers: { "x-forwarded-for": freshIp() } });
    expect(spoofed.status).toBe(429);
  });

  it("without CF-Connecting-IP: one local key in development, skipped in production (in-process sub-requests)", async () => {
    const dev = await call("/no-such-route");
    expect(dev.headers.get("ratelimit-policy")).toBe('"ip";q=1000;w=60');
    const prod = await call("/no-such-route", { env: { ...realLimits, ENVIRONMENT: "production" } });
    expect(prod.status).toBe(404);
    expect(prod.headers.get("ratelimit-policy")).toBeNull();
  });

  it("normalises addresses: IPv6 per /64, IPv4-mapped as IPv4, none → the local key", () => {
    expect(clientKey("203.0.113.9")).toBe("203.0.113.9");
    expect(clientKey("2001:db8:0:12:aaaa::1")).toBe("2001:db8:0:12::/64");
    expect(clientKey("2001:0db8:0000:0012:ffff:ffff:ffff:ffff")).toBe("2001:db8:0:12::/64");
    expect(clientKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientKey(undefined)).toBe("local");
    expect(clientKey("")).toBe("local");
  });

  it.skipIf(!withUpstash)(
    "with Upstash configured: @upstash/ratelimit over real Redis, still before authentication",
    async () => {
      const env = withUpstash!;
      const ip = freshIp();
      const rs: Response[] = [];
      for (let i = 0; i < 10; i++)
        rs.push(...(await Promise.all(Array.from({ length: 100 }, () => call("/v1/me", { token: "x.y.z", ip, env })))));
      expect(count(rs, 401)).toBe(1_000);
      const over = await call("/v1/me", { token: "x.y.z", ip, env });
      expect(over.status).toBe(429);
      expect(over.headers.get("ratelimit-policy")).toBe('"ip";q=1000;w=60');
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Blocked now without asking Redis (ephemeral cache), and still limited.
      expect((await call("/v1/me", { token: "x.y.z", ip, env })).status).toBe(429);
    },
  );
});

describe("limiter unreachable", () => {
  const broken: Env = {
    ...infoLogs,
    TENANT_LIMITER: {
      idFromName: (name: string) => ({ name }),
      get: () => ({
        acquire: () => Promise.reject(new Error("Durable Object reset")),
      }),
    } as unknown as Env["TENANT_LIMITER"],
  };

  function logLines(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
    return spy.mock.calls.map((args: unknown[]) => JSON.parse(String(args[0])) as Record<string, unknown>);
  }

  it("fails open for reads and closed (503) for writes, and logs the decision", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const read = await call("/v1/me", { token, ip: freshIp(), env: broken });
    expect(read.status).toBe(200);
    expect(read.headers.get("ratelimit")).toBeNull();

    const write = await call("/v1/contacts", {
      token,
      ip: freshIp(),
      env: broken,
      method: "POST",
      json: { firstName: "Ana" },
    });
    expect(write.status).toBe(503);
    expect(await write.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(write.headers.get("retry-after")).toBe("1");

    const requests = logLines(spy).filter((l) => l.message === "request");
    const readLine = requests.find((l) => (l.data as { method: string }).method === "GET")!;
    const writeLine = requests.find((l) => (l.data as { method: string }).method === "POST")!;
    expect((readLine.data as { rateLimit: unknown }).rateLimit).toMatchObject({
      ip: { decision: "error-open" },
      user: { decision: "error-open" },
    });
    expect((writeLine.data as { rateLimit: unknown }).rateLimit).toMatchObject({ ip: { decision: "error-closed" } });
    expect(
      logLines(spy).some((l) => l.level === "error" && String(l.message).startsWith("rate limiter unreachable")),
    ).toBe(true);
  });

  it("a limiter slower than RATE_LIMIT_TIMEOUT_MS gets the same rule: reads pass, writes 503", async () => {
    const never = () => new Promise<never>(() => {});
    const slow: Env = {
      ...realLimits,
      RATE_LIMIT_TIMEOUT_MS: "150",
      TENANT_LIMITER: {
        idFromName: (name: string) => ({ name }),
        get: () => ({ acquire: never }),
      } as unknown as Env["TENANT_LIMITER"],
    };
    const token = await tokenFor(await createTenant());
    const started = Date.now();
    expect((await call("/v1/me", { token, ip: freshIp(), env: slow })).status).toBe(200);
    expect(
      (await call("/v1/contacts", { token, ip: freshIp(), env: slow, method: "POST", json: { firstName: "Ana" } }))
        .status,
    ).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("logs the limiter decision in the request's log line", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    expect((await call("/v1/me", { token, ip: freshIp(), env: infoLogs })).status).toBe(200);
    const line = logLines(spy).find((l) => l.message === "request")!;
    expect((line.data as { rateLimit: unknown }).rateLimit).toMatchObject({
      ip: { decision: "allowed", source: "durable-object" },
      user: { decision: "allowed", remaining: 19, limit: 100 },
    });
  });
});

describe("leases (core/ratelimit/lease.ts)", () => {
  it("a user's steady requests are decided from this isolate's lease: few reach the limiter object", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    const tenant = await createTenant({ plan: "pro" });
    const token = await tokenFor(tenant);
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call("/v1/me", { token, ip, env: infoLogs })).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const lines = spy.mock.calls
      .map((args: unknown[]) => JSON.parse(String(args[0])) as { message: string; data: Record<string, unknown> })
      .filter((l) => l.message === "request");
    const limits = lines.map((l) => l.data.rateLimit as { ip: { leased: boolean }; user: { leased: boolean } });
    expect(limits).toHaveLength(40);
    // Leases grow with use (1, 2, 4, … up to C): the first requests ask, then most are local.
    expect(limits.filter((l) => l.user.leased).length).toBeGreaterThanOrEqual(30);
    expect(limits.filter((l) => l.ip.leased).length).toBeGreaterThanOrEqual(30);
    // Every response still carries the user's figures, counting down.
    const last = await call("/v1/me", { token, ip });
    expect(last.headers.get("ratelimit")).toMatch(/^"user";r=\d+;t=\d+, "ip";r=\d+;t=\d+$/);
  });
});

describe("scope", () => {
  it("leaves health checks alone", async () => {
    const res = await call("/healthz", { ip: freshIp() });
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit")).toBeNull();
  });
});

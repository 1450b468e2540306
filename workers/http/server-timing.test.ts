// Server-Timing and the log line's `timings`, through the real app (and one small app for
// recordTiming's contract). Timings come from workerd's clock, which moves in whole milliseconds
// locally (see server-timing.ts): assertions are on presence and structure, and on db > 0 only
// where a real database round trip happened.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../app.ts";
import type { HonoEnv } from "../context.ts";
import type { Env } from "../../platform/env.ts";
import { api, createTenant, tokenFor } from "../../test/support/harness.ts";
import { testEnv } from "../../test/support/env.ts";
import { requestContext } from "../middleware/request-context.ts";
import { parseServerTiming, recordTiming, serverTimingHeader, summarize } from "./server-timing.ts";

const NAMES = ["auth", "limit", "db", "app", "total"] as const;
type Durations = Record<(typeof NAMES)[number], number>;
const app = createApp();
// One env object per variant (config is validated once per env object). Production insists on the
// contract's rate limits (scale 1).
const production: Env = { ...testEnv, ENVIRONMENT: "production", RATE_LIMIT_SCALE: "1" };
const infoLogs: Env = { ...testEnv, LOG_LEVEL: "info" };

async function call(
  target: { fetch: (req: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response> },
  path: string,
  env: Env,
  token?: string,
): Promise<Response> {
  const headers = new Headers({ "cf-connecting-ip": `198.51.100.${Math.floor(Math.random() * 250) + 1}` });
  if (token) headers.set("authorization", `Bearer ${token}`);
  const ctx = createExecutionContext();
  const res = await target.fetch(new Request(`http://crm.test${path}`, { headers }), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

function timingsOf(res: Response): Durations {
  const header = res.headers.get("server-timing");
  expect(header, "Server-Timing header").toBeTruthy();
  const t = parseServerTiming(header);
  expect(Object.keys(t)).toEqual(NAMES);
  for (const name of NAMES) expect(t[name], name).toBeGreaterThanOrEqual(0);
  return t as Durations;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Server-Timing", () => {
  it("a /v1/me 200 carries auth, limit, db, app and total, with the database round trip in db", async () => {
    const token = await tokenFor(await createTenant({ plan: "pro" }));
    const res = await api("/v1/me", { token });
    expect(res.status).toBe(200);
    const t = timingsOf(res);
    expect(t.db).toBeGreaterThan(0);
    expect(t.total).toBeGreaterThanOrEqual(t.db);
    expect(res.headers.get("server-timing")).toMatch(
      /^auth;dur=[\d.]+;desc="JWT verify", limit;dur=[\d.]+;desc="rate limiter", db;dur=[\d.]+;desc="database", app;dur=[\d.]+, total;dur=[\d.]+$/,
    );
  });

  it("a 401 problem response carries it too, with no database time", async () => {
    const res = await api("/v1/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(timingsOf(res).db).toBe(0);
  });

  it("so does a 404 for an unknown route", async () => {
    const res = await api("/no-such-route");
    expect(res.status).toBe(404);
    timingsOf(res);
  });

  it("is not sent in production", async () => {
    const token = await tokenFor(await createTenant({ plan: "pro" }));
    const ok = await call(app, "/v1/me", production, token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("server-timing")).toBeNull();
    const refused = await call(app, "/v1/me", production);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("server-timing")).toBeNull();
  });

  it("recordTiming adds up: two limiter decisions in one request are their sum", async () => {
    const small = new Hono<HonoEnv>();
    small.use("*", requestContext);
    small.get("/", (c) => {
      recordTiming(c, "limit", 0.4);
      recordTiming(c, "limit", 0.35);
      recordTiming(c, "db", 2);
      return c.json({ ok: true });
    });
    const t = timingsOf(await call(small, "/", testEnv));
    expect(t.limit).toBe(0.75);
    expect(t.db).toBe(2);
  });
});

describe("the request log line", () => {
  it("carries timings (auth, limit, db, app, total) and latencyMs = total", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    const token = await tokenFor(await createTenant({ plan: "pro" }));
    expect((await call(app, "/v1/me", infoLogs, token)).status).toBe(200);
    const line = spy.mock.calls
      .map((args: unknown[]) => JSON.parse(String(args[0])) as { message: string; data?: Record<string, unknown> })
      .find((l) => l.message === "request")!;
    const timings = line.data?.timings as Durations;
    expect(Object.keys(timings).sort()).toEqual([...NAMES].sort());
    expect(timings.db).toBeGreaterThan(0);
    expect(line.data?.latencyMs).toBe(timings.total);
  });
});

describe("summarize and the header", () => {
  it("app is what the named segments leave of total, never negative, rounded to 0.01 ms", () => {
    expect(summarize({ auth: 1.234, limit: 0.5, db: 3.333 }, 10)).toEqual({
      auth: 1.23,
      limit: 0.5,
      db: 3.33,
      app: 4.93,
      total: 10,
    });
    expect(summarize({ auth: 0, limit: 2, db: 5 }, 6).app).toBe(0);
    const header = serverTimingHeader(summarize({ auth: 0.25, limit: 1, db: 2 }, 4));
    expect(header).toBe(
      'auth;dur=0.25;desc="JWT verify", limit;dur=1;desc="rate limiter", db;dur=2;desc="database", app;dur=0.75, total;dur=4',
    );
    expect(parseServerTiming(header)).toEqual({ auth: 0.25, limit: 1, db: 2, app: 0.75, total: 4 });
  });
});

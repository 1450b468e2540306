import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { HonoEnv } from "../context.ts";
import { pingDatabase } from "../../db/client.ts";
import { problemResponses } from "../http/openapi-errors.ts";
import { dbSettings } from "../../platform/work.ts";

const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

const ReadySchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    checks: z.object({
      database: z.object({
        ok: z.boolean(),
        latencyMs: z.number(),
        checkedAt: z.string().openapi({ description: "When the database was last asked (results are reused for 5 s)" }),
        error: z.string().optional(),
      }),
    }),
  })
  .openapi("Readiness");

const healthzRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["System"],
  summary: "Liveness: the Worker answers",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: HealthSchema } } } },
});

const readyzRoute = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["System"],
  summary: "Readiness: the database answers",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadySchema } } },
    503: { description: "Not ready", content: { "application/json": { schema: ReadySchema } } },
    ...problemResponses(500),
  },
});

// /readyz is not rate limited (probes come from many places and must not be throttled), so it must
// not be a way to make the database work on demand: one check per isolate per 5 s, shared by every
// probe that arrives meanwhile (also while it is in flight).
export const READY_CHECK_TTL_MS = 5_000;

interface DatabaseCheck {
  ok: boolean;
  latencyMs: number;
  checkedAt: string;
  at: number;
}

let lastCheck: Promise<DatabaseCheck> | undefined;

function checkDatabase(c: Context<HonoEnv>): Promise<DatabaseCheck> {
  const now = Date.now();
  const previous = lastCheck;
  if (previous) {
    return previous.then((check) => (now - check.at < READY_CHECK_TTL_MS ? check : startCheck(c, previous)));
  }
  return startCheck(c, undefined);
}

function startCheck(c: Context<HonoEnv>, replacing: Promise<DatabaseCheck> | undefined): Promise<DatabaseCheck> {
  // Another probe may have started a fresh check while this one waited for the stale one.
  if (lastCheck !== replacing && lastCheck) return lastCheck;
  const started = performance.now();
  const at = Date.now();
  const check = pingDatabase(dbSettings(c.get("config")))
    .then(
      () => true,
      (err: unknown) => {
        c.get("logger").warn("readiness check failed", {}, err);
        return false;
      },
    )
    .then((ok) => ({
      ok,
      latencyMs: Math.round(performance.now() - started),
      checkedAt: new Date(at).toISOString(),
      at,
    }));
  lastCheck = check;
  return check;
}

export function registerHealth(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(healthzRoute, (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(readyzRoute, async (c) => {
    const { ok, latencyMs, checkedAt } = await checkDatabase(c);
    if (ok) return c.json({ status: "ok" as const, checks: { database: { ok: true, latencyMs, checkedAt } } }, 200);
    return c.json(
      {
        status: "unavailable" as const,
        checks: { database: { ok: false, latencyMs, checkedAt, error: "database unreachable" } },
      },
      503,
    );
  });
}

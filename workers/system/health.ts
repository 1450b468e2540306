import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { httpDatabase } from "../../db/client.ts";
import { dbSettings } from "../services.ts";
import { problemResponses } from "../http/openapi-errors.ts";

const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

const ReadySchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    checks: z.object({
      database: z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() }),
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

export function registerHealth(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(healthzRoute, (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(readyzRoute, async (c) => {
    const started = performance.now();
    try {
      await httpDatabase(dbSettings(c.get("config"))).execute(sql`select 1`);
      const latencyMs = Math.round(performance.now() - started);
      return c.json({ status: "ok" as const, checks: { database: { ok: true, latencyMs } } }, 200);
    } catch (err) {
      c.get("logger").warn("readiness check failed", {}, err);
      const latencyMs = Math.round(performance.now() - started);
      return c.json(
        { status: "unavailable" as const, checks: { database: { ok: false, latencyMs, error: "database unreachable" } } },
        503,
      );
    }
  });
}

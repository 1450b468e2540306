// PUT /ops/tenants/{tenantId}/limits — operations only (billing, support): sets a tenant's plan
// and rate-limit overrides, then tells the tenant's TenantLimiterDO, so the next request of that
// tenant is limited by the new numbers.
//
// Deliberately NOT a tenant-admin route under /v1: a tenant's own admin must not be able to move
// the tenant to a bigger plan or raise its own limits. Authenticated by the OPS_API_TOKEN secret;
// when that is not configured the route does not exist (404).
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { problemResponses } from "../http/openapi-errors.ts";
import { requireOpsToken } from "../middleware/require-ops-token.ts";
import { AppError } from "../http/problem.ts";
import { updateTenantLimits } from "../../db/tenants/tenant-store.ts";
import {
  DAILY_QUOTAS,
  dailyQuotaLimit,
  PLANS,
  userPolicy,
  type DailyQuotaName,
} from "../../core/ratelimit/policies.ts";
import { pushTenantLimits } from "../../durable-objects/tenant-limiter-client.ts";
import { tenantWork } from "../../platform/work.ts";
import { dbTimer } from "../http/server-timing.ts";

const positive = z.number().int().min(1).max(100_000_000);

export const TenantLimitsBodySchema = z
  .object({
    plan: z.enum(PLANS).openapi({ example: "pro" }),
    overrides: z
      .object({
        userPerMinute: positive
          .optional()
          .openapi({ description: "Per-user requests per minute (replaces the plan's)" }),
        userBurst: positive.optional().openapi({ description: "Per-user burst (clamped to the per-minute limit)" }),
        "whatsapp:send": positive.optional().openapi({ description: "WhatsApp sends per tenant per local day" }),
      })
      .strict()
      .default({}),
  })
  .openapi("TenantLimitsInput");

export const TenantLimitsSchema = z
  .object({
    tenantId: z.uuid(),
    plan: z.enum(PLANS),
    overrides: z.record(z.string(), z.number().int()),
    timezone: z.string().openapi({ example: "America/Mexico_City" }),
    effective: z.object({
      user: z.object({ perMinute: z.number().int(), burst: z.number().int() }),
      dailyQuotas: z.record(z.string(), z.number().int()),
    }),
  })
  .openapi("TenantLimits");

export type TenantLimitsResponse = z.infer<typeof TenantLimitsSchema>;

const route = createRoute({
  method: "put",
  path: "/ops/tenants/{tenantId}/limits",
  hide: true,
  tags: ["Operations"],
  summary: "Set a tenant's plan and rate-limit overrides (operations only)",
  request: {
    params: z.object({ tenantId: z.uuid() }),
    body: { required: true, content: { "application/json": { schema: TenantLimitsBodySchema } } },
  },
  responses: {
    200: {
      description: "Saved and in effect from the tenant's next request",
      content: { "application/json": { schema: TenantLimitsSchema } },
    },
    ...problemResponses(400, 401, 404, 503),
  },
});

export function registerPutTenantLimits(app: OpenAPIHono<HonoEnv>): void {
  app.use(route.path.replace(/\{(\w+)\}/g, ":$1"), requireOpsToken);

  app.openapi(route, async (c) => {
    const { tenantId } = c.req.valid("param");
    const body = c.req.valid("json");
    const config = c.get("config");
    // System scope for this tenant: no caller to provision, and a suspended tenant can still be changed.
    const uow = tenantWork(config, tenantId, undefined, (p) => c.executionCtx.waitUntil(p), dbTimer(c));
    const [rows] = await uow.run([updateTenantLimits(tenantId, body)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "tenant not found");
    try {
      const limits = await pushTenantLimits(c.env, tenantId, row);
      const policy = userPolicy(limits.plan, limits.overrides);
      const dailyQuotas = Object.fromEntries(
        (Object.keys(DAILY_QUOTAS) as DailyQuotaName[]).map((name) => [name, dailyQuotaLimit(name, limits.overrides)]),
      );
      return c.json(
        {
          tenantId,
          plan: limits.plan,
          overrides: limits.overrides as Record<string, number>,
          timezone: limits.timezone,
          effective: { user: { perMinute: policy.limit, burst: policy.burst }, dailyQuotas },
        },
        200,
      );
    } catch (err) {
      // Saved, but the limiter still has the old numbers (until its periodic re-read). PUT is
      // idempotent: retrying completes it.
      c.get("logger").error("tenant limits saved but not pushed to the limiter", { tenantId }, err);
      throw new AppError("SERVICE_UNAVAILABLE", "limits saved but not yet in effect; retry the request", {
        cause: err,
        headers: { "retry-after": "1" },
      });
    }
  });
}

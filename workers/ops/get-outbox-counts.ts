// GET /ops/outbox — operations only: how many events are pending, delivered and dead (given up on
// after MAX_ATTEMPTS re-sends, workers/cron/outbox-sweep.ts), across tenants or for one. A growing
// `dead` or an old `oldestPendingAt` is what to alert on. Same guard as the other /ops routes.
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { problemResponses } from "../http/openapi-errors.ts";
import { requireOpsToken } from "../middleware/require-ops-token.ts";
import { systemWork } from "../../platform/work.ts";
import { dbTimer } from "../http/server-timing.ts";
import { outboxCounts } from "../../db/outbox-store.ts";

export const OutboxCountsSchema = z
  .object({
    pending: z.number().int().openapi({ description: "Not yet delivered, still retried" }),
    delivered: z.number().int(),
    dead: z.number().int().openapi({ description: "Not delivered after the maximum attempts; no longer retried" }),
    oldestPendingAt: z
      .string()
      .nullable()
      .openapi({ description: "created time of the oldest pending event", example: "2026-12-01T12:00:00.000Z" }),
  })
  .openapi("OutboxCounts");

const route = createRoute({
  method: "get",
  path: "/ops/outbox",
  hide: true,
  tags: ["Operations"],
  summary: "Outbox events per state (operations only)",
  request: { query: z.object({ tenantId: z.uuid().optional().openapi({ description: "Only this tenant's events" }) }) },
  responses: {
    200: { description: "Counts per state", content: { "application/json": { schema: OutboxCountsSchema } } },
    ...problemResponses(400, 401, 404),
  },
});

export function registerGetOutboxCounts(app: OpenAPIHono<HonoEnv>): void {
  app.use(route.path, requireOpsToken);

  app.openapi(route, async (c) => {
    const { tenantId } = c.req.valid("query");
    const config = c.get("config");
    // crm_system: the one role that may read the outbox across tenants.
    const uow = systemWork(config, (p) => c.executionCtx.waitUntil(p), dbTimer(c));
    const [[counts]] = await uow.run([outboxCounts(tenantId)]);
    return c.json(counts ?? { pending: 0, delivered: 0, dead: 0, oldestPendingAt: null }, 200);
  });
}

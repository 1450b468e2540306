import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { activities, customers, leads, proposals } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { writeBatch } from "../services.ts";
import { tenantReference } from "../../db/tenant-reference.ts";
import { referenceError } from "../http/reference-error.ts";
import { ACTIVITY_REFERENCE_FIELDS, ActivityCreateSchema, ActivitySchema, toActivity } from "./activity-schema.ts";
import { publish } from "../events/publish.ts";

const route = createRoute({
  method: "post",
  path: "/v1/activities",
  tags: ["Activities"],
  summary: "Log an activity (call, note, meeting, email, task)",
  description:
    "Against a lead, customer and/or proposal of this tenant (422 otherwise). Kept 90 days unless pinned. " +
    "Status changes are logged by the system from domain events, not through this route. Supports `Idempotency-Key`.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: ActivityCreateSchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: ActivitySchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 422),
  },
});

export function registerCreateActivity(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const auth = c.get("auth");
    const id = crypto.randomUUID();
    try {
      const [created, event] = await writeBatch(c, { resourcePath: `/v1/activities/${id}`, status: 201 }, (db) => [
        db
          .insert(activities)
          .values({
            id,
            tenantId: auth.tenantId,
            type: input.type,
            leadId: tenantReference(leads, input.leadId, auth.tenantId),
            customerId: tenantReference(customers, input.customerId, auth.tenantId),
            proposalId: tenantReference(proposals, input.proposalId, auth.tenantId),
            userId: auth.userId,
            subject: input.subject ?? null,
            body: input.body ?? null,
            ...(input.occurredAt ? { occurredAt: input.occurredAt } : {}),
            dueAt: input.dueAt ?? null,
            completedAt: input.completedAt ?? null,
            pinned: input.pinned ?? false,
            // Pinned: kept; otherwise the column default (now() + 90 days).
            ...(input.pinned ? { expiresAt: null } : {}),
          })
          .returning(),
        db.execute(
          outboxInsert({ type: "Activity.Created", context: "activities", table: activities, rowId: id, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") }),
        ),
      ]);
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      publish(c, eventsFrom(event));
      return c.json(toActivity(row), 201, { location: `/v1/activities/${id}` });
    } catch (err) {
      throw referenceError(err, ACTIVITY_REFERENCE_FIELDS) ?? err;
    }
  });
}

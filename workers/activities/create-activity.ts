import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { ACTIVITY_REFERENCES, activityEvent, insertActivity } from "../../db/activities/activity-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import { referenceError } from "../http/reference-error.ts";
import { ActivityCreateSchema, ActivitySchema, toActivity } from "./activity-schema.ts";
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
    const actor = actorOf(c);
    const id = crypto.randomUUID();
    try {
      const [created, events] = await writeRun(c, { resourcePath: `/v1/activities/${id}`, status: 201 }, [
        insertActivity(actor, { ...input, id }),
        activityEvent(actor, "Activity.Created", id),
      ]);
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      publish(c, events);
      return c.json(toActivity(row), 201, { location: `/v1/activities/${id}` });
    } catch (err) {
      throw referenceError(err, ACTIVITY_REFERENCES) ?? err;
    }
  });
}

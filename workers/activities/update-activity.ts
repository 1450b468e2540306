import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, ne, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { activities } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { unitOfWork } from "../services.ts";
import { ActivityPatchSchema, ActivitySchema, toActivity } from "./activity-schema.ts";
import { IdParamSchema } from "../http/params.ts";

const route = createRoute({
  method: "patch",
  path: "/v1/activities/{id}",
  tags: ["Activities"],
  summary: "Update an activity",
  description:
    "Pinning keeps the activity (expiresAt null); unpinning gives it 90 days from now. System-logged status changes can only be pinned or unpinned (409 otherwise).",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: ActivityPatchSchema } } } },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: ActivitySchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerUpdateActivity(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { pinned, ...fields } = c.req.valid("json");
    const mine = and(eq(activities.tenantId, c.get("auth").tenantId), eq(activities.id, id));
    const set: PgUpdateSetSource<typeof activities> = { ...fields };
    if (pinned !== undefined) {
      set.pinned = pinned;
      set.expiresAt = pinned ? null : sql`now() + interval '90 days'`;
    }
    const guard: (SQL | undefined)[] = [mine];
    const editsContent = Object.keys(fields).length > 0;
    if (editsContent) guard.push(ne(activities.type, "status_change"));

    const [updated, rows] = await unitOfWork(c).batch((db) => [
      db.update(activities).set(set).where(and(...guard)).returning({ id: activities.id }),
      db.select().from(activities).where(mine),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "activity not found");
    if (updated.length === 0) throw new AppError("CONFLICT", "status changes are logged by the system; only pinned can be changed");
    return c.json(toActivity(row), 200);
  });
}

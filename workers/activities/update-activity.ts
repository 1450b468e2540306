import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getActivity, updateActivity } from "../../db/activities/activity-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
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
  request: {
    params: IdParamSchema,
    body: { required: true, content: { "application/json": { schema: ActivityPatchSchema } } },
  },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: ActivitySchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerUpdateActivity(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const tenantId = c.get("auth").tenantId;
    // The read after the update: the row as it now is, and 404 apart from a refused change.
    const [updated, rows] = await readRun(c, [
      updateActivity(tenantId, id, c.req.valid("json")),
      getActivity(tenantId, id),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "activity not found");
    if (updated.length === 0)
      throw new AppError("CONFLICT", "status changes are logged by the system; only pinned can be changed");
    return c.json(toActivity(row), 200);
  });
}

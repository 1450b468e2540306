import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { hasRole } from "../../core/auth/roles.ts";
import { deleteActivity, getActivityId } from "../../db/activities/activity-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/activities/{id}",
  tags: ["Activities"],
  summary: "Delete an activity (its author, or a manager or admin)",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerDeleteActivity(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const auth = c.get("auth");
    // A plain user deletes only what they logged; a manager or admin anything of the tenant.
    const authorId = hasRole(auth.role, "manager") ? undefined : auth.userId;
    // The read first (a deleted row cannot be read afterwards): it tells 404 from 403.
    const [before, deleted] = await readRun(c, [
      getActivityId(auth.tenantId, id),
      deleteActivity(auth.tenantId, id, authorId),
    ]);
    if (deleted.length > 0) return c.body(null, 204);
    if (before.length === 0) throw new AppError("NOT_FOUND", "activity not found");
    throw new AppError("FORBIDDEN", "only the author or a manager can delete this activity");
  });
}

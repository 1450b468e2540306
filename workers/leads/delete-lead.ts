import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { deleteLead } from "../../db/leads/lead-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/leads/{id}",
  tags: ["Leads"],
  summary: "Delete a lead (manager or admin)",
  description: "Its activities go with it; proposals and a converted customer keep their data and lose the link.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: { params: IdParamSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerDeleteLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [deleted] = await readRun(c, [deleteLead(c.get("auth").tenantId, id)]);
    if (deleted.length === 0) throw new AppError("NOT_FOUND", "lead not found");
    return c.body(null, 204);
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { deleteLeadSource } from "../../db/lead-sources/lead-source-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/lead-sources/{id}",
  tags: ["Lead sources"],
  summary: "Delete a lead source (manager or admin)",
  description:
    "Leads from this source keep their data and lose the link (consider `isActive: false` to retire a source instead).",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: { params: IdParamSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerDeleteLeadSource(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [deleted] = await readRun(c, [deleteLeadSource(c.get("auth").tenantId, id)]);
    if (deleted.length === 0) throw new AppError("NOT_FOUND", "lead source not found");
    return c.body(null, 204);
  });
}

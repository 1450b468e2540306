import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getLead } from "../../db/leads/lead-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { LeadSchema, toLead } from "./lead-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/leads/{id}",
  tags: ["Leads"],
  summary: "Get a lead",
  description: "The `ETag` header is the version to send as `If-Match` on PATCH.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: {
      description: "The lead",
      headers: { ETag: { schema: { type: "string" } } },
      content: { "application/json": { schema: LeadSchema } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [rows] = await readRun(c, [getLead(c.get("auth").tenantId, id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "lead not found");
    return c.json(toLead(row), 200, { etag: etagOf(row.version) });
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getLeadSource } from "../../db/lead-sources/lead-source-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { LeadSourceSchema, toLeadSource } from "./lead-source-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/lead-sources/{id}",
  tags: ["Lead sources"],
  summary: "Get a lead source",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The lead source", content: { "application/json": { schema: LeadSourceSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetLeadSource(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [rows] = await readRun(c, [getLeadSource(c.get("auth").tenantId, id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "lead source not found");
    return c.json(toLeadSource(row), 200);
  });
}

import { IdParamSchema } from "../http/params.ts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getActivity } from "../../db/activities/activity-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { ActivitySchema, toActivity } from "./activity-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/activities/{id}",
  tags: ["Activities"],
  summary: "Get an activity",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The activity", content: { "application/json": { schema: ActivitySchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetActivity(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [rows] = await readRun(c, [getActivity(c.get("auth").tenantId, id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "activity not found");
    return c.json(toActivity(row), 200);
  });
}

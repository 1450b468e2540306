import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { planWhole } from "../../db/msi/msi-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { PlanSchema, toPlan } from "./msi-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/msi-plans/{id}",
  tags: ["MSI"],
  summary: "Get a plan with its installments and payments",
  description: "One database round trip.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The plan", content: { "application/json": { schema: PlanSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetPlan(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const [plans, installments, payments] = await readRun(
      c,
      planWhole(c.get("auth").tenantId, c.req.valid("param").id),
    );
    const plan = plans[0];
    if (!plan) throw new AppError("NOT_FOUND", "plan not found");
    return c.json(toPlan(plan, installments, payments), 200, { etag: etagOf(plan.version) });
  });
}

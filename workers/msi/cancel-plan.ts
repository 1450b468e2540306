import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { cancelPlan } from "../../db/msi/msi-store.ts";
import type { HonoEnv } from "../context.ts";
import { publish } from "../events/publish.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { writeRun } from "../services.ts";
import { PlanSchema, toPlan } from "./msi-schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/msi-plans/{id}/cancel",
  tags: ["MSI"],
  summary: "Cancel a plan (manager+)",
  description:
    "Its open installments become `cancelled`; payments already received stay. Emits MSI.PlanCancelled. Cancelling a cancelled plan answers it as it is; a completed plan is a 409. One round trip.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: { params: IdParamSchema },
  responses: {
    200: { description: "Cancelled", content: { "application/json": { schema: PlanSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerCancelPlan(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { tenantId, userId } = c.get("auth");
    const [, , events, plans, installments, payments] = await writeRun(
      c,
      { resourcePath: `/v1/msi-plans/${id}`, status: 200 },
      cancelPlan(tenantId, id, userId),
    );
    const plan = plans[0];
    if (!plan) throw new AppError("NOT_FOUND", "plan not found");
    if (plan.status !== "cancelled")
      throw new AppError(
        "CONFLICT",
        `El plan está ${plan.status === "completed" ? "liquidado" : plan.status}; no se cancela.`,
      );
    publish(c, events);
    return c.json(toPlan(plan, installments, payments), 200, { etag: etagOf(plan.version) });
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { waiveInstallment } from "../../db/msi/msi-store.ts";
import type { HonoEnv } from "../context.ts";
import { publish } from "../events/publish.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { writeRun } from "../services.ts";
import { PlanInstallmentParams, PlanSchema, toPlan } from "./msi-schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/msi-plans/{id}/installments/{n}/waive",
  tags: ["MSI"],
  summary: "Waive an installment (manager+)",
  description:
    "What is still owed on it is forgiven (`waived`); what was paid stays paid. The plan completes when nothing else is owed. Waiving a waived installment answers the plan as it is; a paid or cancelled one is a 409. One round trip.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: { params: PlanInstallmentParams },
  responses: {
    200: { description: "Waived", content: { "application/json": { schema: PlanSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerWaiveInstallment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id, n } = c.req.valid("param");
    const { tenantId, userId } = c.get("auth");
    const [, , events, plans, installments, payments] = await writeRun(
      c,
      { resourcePath: `/v1/msi-plans/${id}`, status: 200 },
      waiveInstallment(tenantId, id, n, userId),
    );
    const plan = plans[0];
    if (!plan) throw new AppError("NOT_FOUND", "plan not found");
    const installment = installments.find((i) => i.number === n);
    if (!installment) throw new AppError("NOT_FOUND", `el plan no tiene la mensualidad ${n}`);
    if (installment.status !== "waived")
      throw new AppError(
        "CONFLICT",
        `La mensualidad ${n} está ${installment.status}; solo se condona una pendiente o vencida de un plan vigente.`,
      );
    publish(c, events);
    return c.json(toPlan(plan, installments, payments), 200, { etag: etagOf(plan.version) });
  });
}

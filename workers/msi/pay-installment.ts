import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { fromCents, toCents } from "../../core/msi/schedule.ts";
import { payInstallment } from "../../db/msi/msi-store.ts";
import type { HonoEnv } from "../context.ts";
import { publish } from "../events/publish.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { writeRun } from "../services.ts";
import { PlanInstallmentParams, PlanSchema, toPlan } from "./msi-schema.ts";

// POST /v1/msi-plans/{id}/installments/{n}/pay (issue 14): one round trip — the plan row locked,
// the payment inserted only if it fits, spread oldest-first, installments and plan updated, events.

const Body = z
  .object({
    amount: z
      .string()
      .refine((s) => (toCents(s) ?? 0n) > 0n, "importe positivo con hasta 2 decimales")
      .openapi({ example: "2000.00" }),
    formaPago: z
      .string()
      .regex(/^[0-9]{2}$/, "clave de 2 dígitos del catálogo c_FormaPago")
      .refine((f) => f !== "99", "99 (por definir) no es una forma de pago recibida")
      .openapi({
        example: "03",
        description: "SAT c_FormaPago: 01 efectivo, 03 transferencia, 04 tarjeta de crédito …",
      }),
    reference: z.string().min(1).max(100).optional().openapi({ description: "Bank reference, receipt number…" }),
    paidAt: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "When the money was received (default: now)" }),
  })
  .strict()
  .openapi("MsiPaymentInput");

const route = createRoute({
  method: "post",
  path: "/v1/msi-plans/{id}/installments/{n}/pay",
  tags: ["MSI"],
  summary: "Record a payment for installment n",
  description: [
    "The amount covers what is still owed on installments 1…n, oldest first: a partial payment leaves a rest that the next payment covers before anything else. An installment fully covered becomes `paid` (MSI.InstallmentPaid); when nothing is owed the plan is `completed`. Emits MSI.PaymentReceived.",
    "",
    "- 422 (nothing recorded): more than is owed up to n (the most that fits is in `maxAmount`), or nothing owed up to n. 409: the plan is cancelled or completed. 404: no such plan or installment.",
    "- `Idempotency-Key` honoured: a retried payment is recorded once.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  request: {
    params: PlanInstallmentParams,
    body: { required: true, content: { "application/json": { schema: Body } } },
  },
  responses: {
    200: { description: "Recorded", content: { "application/json": { schema: PlanSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 422),
  },
});

export function registerPayInstallment(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id, n } = c.req.valid("param");
    const body = c.req.valid("json");
    const { tenantId, userId } = c.get("auth");
    const amount = fromCents(toCents(body.amount)!);
    const paymentId = crypto.randomUUID();
    const [, inserted, , , paidEvents, receivedEvents, , completedEvents, plans, installments, payments] =
      await writeRun(
        c,
        { resourcePath: `/v1/msi-plans/${id}`, status: 200 },
        payInstallment(
          tenantId,
          id,
          n,
          {
            id: paymentId,
            amount,
            formaPago: body.formaPago,
            reference: body.reference ?? null,
            paidAt: body.paidAt ?? new Date().toISOString(),
            createdBy: userId,
          },
          userId,
        ),
      );
    const plan = plans[0];
    if (!plan) throw new AppError("NOT_FOUND", "plan not found");
    if (inserted.length === 0) {
      // Nothing was written: say why, from the plan as the batch read it.
      if (plan.status === "cancelled" || plan.status === "completed")
        throw new AppError(
          "CONFLICT",
          `El plan está ${plan.status === "completed" ? "liquidado" : "cancelado"}; no recibe pagos.`,
        );
      const installment = installments.find((i) => i.number === n);
      if (!installment) throw new AppError("NOT_FOUND", `el plan no tiene la mensualidad ${n}`);
      const owed = installments
        .filter((i) => i.number <= n && (i.status === "pending" || i.status === "overdue"))
        .reduce((sum, i) => sum + toCents(money(i.amount))! - toCents(money(i.paidAmount))!, 0n);
      const detail =
        owed === 0n
          ? `No hay nada pendiente hasta la mensualidad ${n}.`
          : `El pago (${amount}) excede lo pendiente hasta la mensualidad ${n} (${fromCents(owed)}).`;
      throw new AppError("UNPROCESSABLE", detail, {
        errors: [{ path: "body.amount", message: detail, code: "exceeds_owed" }],
        extensions: { maxAmount: fromCents(owed) },
      });
    }
    publish(c, [...paidEvents, ...receivedEvents, ...completedEvents]);
    c.set("logFields", { ...c.get("logFields"), msi: { planId: id, installment: n, paymentId, status: plan.status } });
    return c.json(toPlan(plan, installments, payments), 200, { etag: etagOf(plan.version) });
  });
}

/** A numeric column's text (e.g. "500.000000" or "500") as two-decimal money. */
function money(value: string): string {
  const [int, frac = ""] = value.split(".");
  return `${int}.${(frac + "00").slice(0, 2)}`;
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { isCalendarDate, isMsiCount, MSI_COUNTS, msiSchedule, toCents } from "../../core/msi/schedule.ts";
import { insertPlan, planLinks, PLAN_REFERENCE_FIELDS } from "../../db/msi/msi-store.ts";
import type { HonoEnv } from "../context.ts";
import { publish } from "../events/publish.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { referenceError } from "../http/reference-error.ts";
import { readRun, writeRun } from "../services.ts";
import { PlanSchema, toPlan } from "./msi-schema.ts";

// POST /v1/msi-plans (issue 14): a seller-financed plan of 3–18 monthly installments. One round
// trip (plan + installments + MSI.PaymentScheduled), two when it is tied to an invoice or proposal
// (read first: their status, totals and customer decide).

const Amount = z
  .string()
  .refine((s) => (toCents(s) ?? 0n) > 0n, "importe positivo con hasta 2 decimales, p. ej. 12000.00");
const Body = z
  .object({
    customerId: z.uuid(),
    total: Amount.optional().openapi({
      example: "12000.00",
      description: "Default: the invoice's or the accepted proposal's total",
    }),
    count: z
      .number()
      .int()
      .refine(isMsiCount, `número de mensualidades: ${MSI_COUNTS.join(", ")}`)
      .openapi({ example: 6 }),
    startDate: z
      .string()
      .refine(isCalendarDate, "fecha AAAA-MM-DD que exista en el calendario")
      .openapi({ example: "2027-01-31", description: "Installment 1's due date (account's zone)" }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional()
      .openapi({ description: "Default MXN" }),
    exchangeRate: z
      .string()
      .regex(/^[0-9]{1,6}(\.[0-9]{1,6})?$/)
      .optional(),
    invoiceId: z.uuid().optional().openapi({
      description: "A stamped PPD invoice (forma 99) of the customer: each payment then gets its REP",
    }),
    proposalId: z.uuid().optional().openapi({ description: "An accepted proposal of the customer" }),
    cardProvider: z.string().min(1).max(100).optional(),
  })
  .strict()
  .openapi("NewMsiPlan");

const route = createRoute({
  method: "post",
  path: "/v1/msi-plans",
  tags: ["MSI"],
  summary: "Create an installment plan (meses sin intereses)",
  description: [
    "Splits the total to the cent — every installment gets the total divided by the count, the first one also the remainder (1,000.00 in 3 → 333.34, 333.33, 333.33) — and sets due dates monthly from `startDate`, on its day of the month or the month's last day (Jan 31 → Feb 28/29 → Mar 31). Emits MSI.PaymentScheduled.",
    "",
    "- 422: a customer, invoice or proposal that is not this account's; an invoice that is not stamped PPD with forma 99, or of another customer, or of another total; a proposal not accepted.",
    "- `Idempotency-Key` honoured.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { "application/json": { schema: Body } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: PlanSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 422),
  },
});

function invalid(path: string, message: string): AppError {
  return new AppError("UNPROCESSABLE", message, { errors: [{ path: `body.${path}`, message, code: "invalid" }] });
}

function sameAmount(a: string, b: string): boolean {
  const norm = (v: string) => {
    const [i, f = ""] = v.split(".");
    return `${i}.${(f + "00").slice(0, 2)}`;
  };
  return norm(a) === norm(b);
}

export function registerCreatePlan(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { tenantId, userId } = c.get("auth");
    let total = body.total;
    let currency = body.currency ?? "MXN";
    if (body.invoiceId || body.proposalId) {
      const [invoices, proposals] = await readRun(
        c,
        planLinks(tenantId, body.invoiceId ?? null, body.proposalId ?? null),
      );
      if (body.invoiceId) {
        const invoice = invoices[0];
        if (!invoice) throw invalid("invoiceId", "no hay una factura con este id en la cuenta");
        if (invoice.status !== "stamped")
          throw invalid("invoiceId", `la factura está en estado ${invoice.status}; debe estar timbrada`);
        if (invoice.metodoPago !== "PPD" || invoice.formaPago !== "99")
          throw invalid("invoiceId", "para emitir complementos de pago la factura debe ser PPD con forma de pago 99");
        if (invoice.customerId !== body.customerId) throw invalid("invoiceId", "la factura es de otro cliente");
        if (total !== undefined && !sameAmount(total, invoice.total))
          throw invalid("total", `el total del plan debe ser el de la factura (${invoice.total})`);
        total ??= invoice.total;
        currency = invoice.moneda;
      }
      if (body.proposalId) {
        const proposal = proposals[0];
        if (!proposal) throw invalid("proposalId", "no hay una cotización con este id en la cuenta");
        if (proposal.status !== "accepted")
          throw invalid("proposalId", `la cotización está en estado ${proposal.status}; debe estar aceptada`);
        if (proposal.customerId !== body.customerId) throw invalid("proposalId", "la cotización es de otro cliente");
        total ??= proposal.total;
        if (!body.invoiceId) currency = body.currency ?? proposal.currency;
      }
    }
    if (total === undefined) throw invalid("total", "falta el total del plan");
    if (currency !== "MXN" && !body.exchangeRate)
      throw invalid("exchangeRate", `un plan en ${currency} necesita el tipo de cambio`);
    const count = body.count as (typeof MSI_COUNTS)[number];
    const [int, frac = ""] = total.split(".");
    const normalized = `${int}.${(frac + "00").slice(0, 2)}`;
    const schedule = msiSchedule(normalized, count, body.startDate);
    const id = crypto.randomUUID();
    try {
      const [plans, installments, events] = await writeRun(
        c,
        { resourcePath: `/v1/msi-plans/${id}`, status: 201 },
        insertPlan(
          {
            id,
            tenantId,
            customerId: body.customerId,
            proposalId: body.proposalId ?? null,
            cfdiInvoiceId: body.invoiceId ?? null,
            totalAmount: normalized,
            currency,
            exchangeRate: currency === "MXN" ? null : (body.exchangeRate ?? null),
            months: count,
            firstDueDate: body.startDate,
            cardProvider: body.cardProvider ?? null,
            createdBy: userId,
          },
          schedule,
          userId,
        ),
      );
      publish(c, events);
      const plan = plans[0]!;
      return c.json(toPlan(plan, installments, []), 201, {
        location: `/v1/msi-plans/${id}`,
        etag: etagOf(plan.version),
      });
    } catch (err) {
      throw referenceError(err, PLAN_REFERENCE_FIELDS) ?? err;
    }
  });
}

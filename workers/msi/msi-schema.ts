import { z } from "@hono/zod-openapi";
import { MSI_INSTALLMENT_STATUSES, MSI_PLAN_STATUSES } from "../../core/msi/msi-status.ts";
import type { InstallmentRow, PaymentRow, PlanRow } from "../../db/msi/msi-store.ts";

const InstallmentSchema = z
  .object({
    number: z.number().int(),
    dueDate: z.string().openapi({ example: "2027-02-28", description: "In the account's time zone" }),
    amount: z.string().openapi({ example: "2000.00" }),
    paidAmount: z.string().openapi({ example: "500.00" }),
    outstanding: z.string().openapi({ example: "1500.00" }),
    status: z.enum(MSI_INSTALLMENT_STATUSES),
    paidAt: z.string().nullable(),
    overdueAt: z.string().nullable(),
    waivedAt: z.string().nullable(),
  })
  .openapi("MsiInstallment");

const PaymentSchema = z
  .object({
    id: z.uuid(),
    installmentNumber: z.number().int(),
    amount: z.string(),
    formaPago: z.string().openapi({ description: "SAT c_FormaPago" }),
    reference: z.string().nullable(),
    paidAt: z.string(),
  })
  .openapi("MsiPayment");

export const PlanSchema = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    proposalId: z.uuid().nullable(),
    invoiceId: z.uuid().nullable(),
    total: z.string().openapi({ example: "12000.00" }),
    currency: z.string(),
    exchangeRate: z.string().nullable(),
    count: z.number().int().openapi({ example: 6 }),
    startDate: z.string().openapi({ example: "2027-01-31" }),
    status: z.enum(MSI_PLAN_STATUSES),
    paid: z.string().openapi({ description: "Sum of what payments covered" }),
    outstanding: z.string().openapi({ description: "Still owed on open installments" }),
    overdueCount: z.number().int(),
    installments: z.array(InstallmentSchema),
    payments: z.array(PaymentSchema).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .openapi("MsiPlan");
export type PlanBody = z.infer<typeof PlanSchema>;

/** Numeric columns read back with their scale; amounts show two decimals. */
function cents(value: string): bigint {
  const [int, frac = ""] = value.split(".");
  const sign = int!.startsWith("-") ? -1n : 1n;
  return sign * (BigInt(int!.replace("-", "")) * 100n + BigInt((frac + "00").slice(0, 2)));
}

function money(c: bigint): string {
  const abs = c < 0n ? -c : c;
  return `${c < 0n ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

export function toPlan(
  plan: PlanRow,
  installments: readonly InstallmentRow[],
  payments?: readonly PaymentRow[],
): PlanBody {
  let paid = 0n;
  let outstanding = 0n;
  let overdueCount = 0;
  const items = installments.map((i) => {
    const rest = i.status === "pending" || i.status === "overdue" ? cents(i.amount) - cents(i.paidAmount) : 0n;
    paid += cents(i.paidAmount);
    outstanding += rest;
    if (i.status === "overdue") overdueCount += 1;
    return {
      number: i.number,
      dueDate: i.dueDate,
      amount: money(cents(i.amount)),
      paidAmount: money(cents(i.paidAmount)),
      outstanding: money(rest),
      status: i.status,
      paidAt: i.paidAt,
      overdueAt: i.overdueAt,
      waivedAt: i.waivedAt,
    };
  });
  return {
    id: plan.id,
    customerId: plan.customerId,
    proposalId: plan.proposalId,
    invoiceId: plan.cfdiInvoiceId,
    total: money(cents(plan.totalAmount)),
    currency: plan.currency,
    exchangeRate: plan.exchangeRate,
    count: plan.months,
    startDate: plan.firstDueDate,
    status: plan.status,
    paid: money(paid),
    outstanding: money(outstanding),
    overdueCount,
    installments: items,
    ...(payments
      ? {
          payments: payments.map((p) => ({
            id: p.id,
            installmentNumber: p.installmentNumber,
            amount: money(cents(p.amount)),
            formaPago: p.formaPago,
            reference: p.reference,
            paidAt: p.paidAt,
          })),
        }
      : {}),
    createdAt: plan.createdAt,
    updatedAt: plan.updatedAt,
    version: plan.version,
  };
}

export const PlanInstallmentParams = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
  n: z.coerce
    .number()
    .int()
    .min(1)
    .max(18)
    .openapi({ param: { name: "n", in: "path" }, example: 2 }),
});

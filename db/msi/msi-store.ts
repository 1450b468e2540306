import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { MsiPlanStatus } from "../../core/msi/msi-status.ts";
import type { ScheduledInstallment } from "../../core/msi/schedule.ts";
import { outboxEvents, writtenByThisTransaction } from "../outbox.ts";
import { customers } from "../schema/crm.ts";
import { NIL_UUID, tenantReference } from "../tenant-reference.ts";
import { msiInstallments, msiPaymentPlans, msiPayments } from "../schema/billing.ts";
import { exec, query, rows, type Statement } from "../statement.ts";

// MSI plans (issue 14) under RLS: plans, their installments, payments and how each payment was
// spread. Every write is one batch (one round trip) whose guards decide, in the database, whether
// it happens — so concurrent payments, the daily overdue job and cancellations never see half of
// each other.

export type PlanRow = typeof msiPaymentPlans.$inferSelect;
export type InstallmentRow = typeof msiInstallments.$inferSelect;
export type PaymentRow = typeof msiPayments.$inferSelect;

export interface NewPlan {
  id: string;
  tenantId: string;
  customerId: string;
  proposalId: string | null;
  cfdiInvoiceId: string | null;
  totalAmount: string;
  currency: string;
  exchangeRate: string | null;
  months: number;
  firstDueDate: string;
  cardProvider: string | null;
  createdBy: string | null;
}

/** The plan, its installments and MSI.PaymentScheduled (the plan with its schedule as data). */
export function insertPlan(plan: NewPlan, schedule: readonly ScheduledInstallment[], userId: string | undefined) {
  return [
    // The customer is resolved in the tenant (db/tenant-reference.ts): another tenant's id fails the FK.
    query((db) =>
      db
        .insert(msiPaymentPlans)
        .values({ ...plan, customerId: tenantReference(customers, plan.customerId, plan.tenantId) })
        .returning(),
    ),
    query((db) =>
      db
        .insert(msiInstallments)
        .values(
          schedule.map((i) => ({
            tenantId: plan.tenantId,
            planId: plan.id,
            number: i.number,
            dueDate: i.dueDate,
            amount: i.amount,
          })),
        )
        .returning(),
    ),
    outboxEvents({
      type: "MSI.PaymentScheduled",
      context: "msi",
      table: msiPaymentPlans,
      where: sql`t.tenant_id = ${plan.tenantId} and t.id = ${plan.id} and ${writtenByThisTransaction}`,
      userId,
    }),
  ] as const;
}

export function getPlan(tenantId: string, id: string): Statement<PlanRow[]> {
  return query((db) =>
    db
      .select()
      .from(msiPaymentPlans)
      .where(and(eq(msiPaymentPlans.tenantId, tenantId), eq(msiPaymentPlans.id, id))),
  );
}

export function planInstallments(tenantId: string, planId: string): Statement<InstallmentRow[]> {
  return query((db) =>
    db
      .select()
      .from(msiInstallments)
      .where(and(eq(msiInstallments.tenantId, tenantId), eq(msiInstallments.planId, planId)))
      .orderBy(asc(msiInstallments.number)),
  );
}

export function planPayments(tenantId: string, planId: string): Statement<PaymentRow[]> {
  return query((db) =>
    db
      .select()
      .from(msiPayments)
      .where(and(eq(msiPayments.tenantId, tenantId), eq(msiPayments.planId, planId)))
      .orderBy(asc(msiPayments.paidAt), asc(msiPayments.createdAt)),
  );
}

/** A plan read whole: the plan, its installments, its payments. */
export function planWhole(tenantId: string, id: string) {
  return [getPlan(tenantId, id), planInstallments(tenantId, id), planPayments(tenantId, id)] as const;
}

export interface PlanListFilter {
  status?: MsiPlanStatus | undefined;
  customerId?: string | undefined;
  /** Plans with at least one overdue installment (true) or none (false). */
  overdue?: boolean | undefined;
}

export const planSortColumns = { created: msiPaymentPlans.createdAt, updated: msiPaymentPlans.updatedAt } as const;

export function listPlans(
  tenantId: string,
  filter: PlanListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<PlanRow[]> {
  const where: (SQL | undefined)[] = [eq(msiPaymentPlans.tenantId, tenantId), page.after];
  if (filter.status) where.push(eq(msiPaymentPlans.status, filter.status));
  if (filter.customerId) where.push(eq(msiPaymentPlans.customerId, filter.customerId));
  if (filter.overdue !== undefined) {
    const some = sql`exists (select 1 from msi_installments i where i.plan_id = ${msiPaymentPlans.id} and i.status = 'overdue')`;
    where.push(filter.overdue ? some : sql`not ${some}`);
  }
  return query((db) =>
    db
      .select()
      .from(msiPaymentPlans)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}

/** Installments of the listed plans, for the list's summaries (one statement for the page). */
export function installmentsOfPlans(tenantId: string, planIds: readonly string[]): Statement<InstallmentRow[]> {
  return query((db) =>
    db
      .select()
      .from(msiInstallments)
      .where(
        and(
          eq(msiInstallments.tenantId, tenantId),
          sql`${msiInstallments.planId} = any(${`{${planIds.join(",")}}`}::uuid[])`,
        ),
      )
      .orderBy(asc(msiInstallments.planId), asc(msiInstallments.number)),
  );
}

const OPEN = sql`('pending', 'overdue')`;

/** Completes a plan with nothing left to pay (paid or waived), with MSI.PlanCompleted. */
function completeIfDone(tenantId: string, planId: string, userId: string | undefined) {
  return [
    exec(sql`update msi_payment_plans set status = 'completed', completed_at = now(), version = version + 1, updated_at = now()
      where tenant_id = ${tenantId} and id = ${planId} and status in ('active', 'defaulted')
        and not exists (select 1 from msi_installments i where i.plan_id = ${planId} and i.status in ${OPEN})`),
    outboxEvents({
      type: "MSI.PlanCompleted",
      context: "msi",
      table: msiPaymentPlans,
      where: sql`t.tenant_id = ${tenantId} and t.id = ${planId} and t.status = 'completed' and ${writtenByThisTransaction}`,
      userId,
    }),
  ] as const;
}

function installmentPaidEvents(tenantId: string, planId: string, userId: string | undefined) {
  return outboxEvents({
    type: "MSI.InstallmentPaid",
    context: "msi",
    table: msiInstallments,
    where: sql`t.tenant_id = ${tenantId} and t.plan_id = ${planId} and t.status = 'paid' and ${writtenByThisTransaction}`,
    userId,
  });
}

export interface NewPayment {
  id: string;
  amount: string;
  formaPago: string;
  reference: string | null;
  paidAt: string;
  createdBy: string | null;
}

/**
 * A payment for installment `n`: it covers what is still owed on installments 1…n, oldest first (a
 * partial payment's rest is covered by the next payment before anything else), and is refused —
 * nothing written — when the plan is not active or defaulted, or the amount is more than is owed up
 * to `n`. The plan row is locked first, so two payments of one plan are applied one after the other.
 * Returns what the payment row, allocations and events came to, then the plan as it is.
 */
export function payInstallment(
  tenantId: string,
  planId: string,
  n: number,
  payment: NewPayment,
  userId: string | undefined,
) {
  const owed = sql`(select coalesce(sum(i.amount - i.paid_amount), 0) from msi_installments i
    where i.tenant_id = ${tenantId} and i.plan_id = ${planId} and i.number <= ${n} and i.status in ${OPEN})`;
  return [
    query((db) =>
      db
        .select({ id: msiPaymentPlans.id })
        .from(msiPaymentPlans)
        .where(and(eq(msiPaymentPlans.tenantId, tenantId), eq(msiPaymentPlans.id, planId)))
        .for("update"),
    ),
    rows(
      sql`insert into msi_payments (id, tenant_id, plan_id, installment_number, amount, forma_pago, reference, paid_at, created_by)
        select ${payment.id}::uuid, ${tenantId}::uuid, ${planId}::uuid, ${n}::int, ${payment.amount}::numeric,
               ${payment.formaPago}, ${payment.reference}, ${payment.paidAt}::timestamptz, ${payment.createdBy}::uuid
        where exists (select 1 from msi_payment_plans p where p.tenant_id = ${tenantId} and p.id = ${planId}
                        and p.status in ('active', 'defaulted'))
          and exists (select 1 from msi_installments i where i.tenant_id = ${tenantId} and i.plan_id = ${planId} and i.number = ${n})
          and ${owed} >= ${payment.amount}::numeric
        returning id`,
      (r) => ({ id: String(r.id) }),
    ),
    exec(sql`insert into msi_payment_allocations (tenant_id, payment_id, installment_id, amount)
      select ${tenantId}::uuid, ${payment.id}::uuid, o.id, least(o.rest, ${payment.amount}::numeric - o.before)
      from (
        select id, rest, coalesce(sum(rest) over (order by number rows between unbounded preceding and 1 preceding), 0) as before
        from (select i.id, i.number, i.amount - i.paid_amount as rest from msi_installments i
              where i.tenant_id = ${tenantId} and i.plan_id = ${planId} and i.number <= ${n} and i.status in ${OPEN}
                and i.amount > i.paid_amount) owed_rows
      ) o
      where exists (select 1 from msi_payments m where m.id = ${payment.id}) and o.before < ${payment.amount}::numeric`),
    exec(sql`update msi_installments i set paid_amount = i.paid_amount + a.amount,
        status = case when i.paid_amount + a.amount = i.amount then 'paid' else i.status end,
        paid_at = case when i.paid_amount + a.amount = i.amount then ${payment.paidAt}::timestamptz else i.paid_at end,
        updated_at = now()
      from msi_payment_allocations a where a.payment_id = ${payment.id} and a.installment_id = i.id`),
    installmentPaidEvents(tenantId, planId, userId),
    outboxEvents({
      type: "MSI.PaymentReceived",
      context: "msi",
      table: msiPayments,
      where: sql`t.tenant_id = ${tenantId} and t.id = ${payment.id} and ${writtenByThisTransaction}`,
      userId,
    }),
    ...completeIfDone(tenantId, planId, userId),
    ...planWhole(tenantId, planId),
  ] as const;
}

/** A manager forgives an open installment: `waived`; the plan completes if nothing else is owed. */
export function waiveInstallment(tenantId: string, planId: string, n: number, userId: string) {
  return [
    query((db) =>
      db
        .update(msiInstallments)
        .set({ status: "waived", waivedAt: sql`now()`, waivedBy: userId, updatedAt: sql`now()` })
        .where(
          and(
            eq(msiInstallments.tenantId, tenantId),
            eq(msiInstallments.planId, planId),
            eq(msiInstallments.number, n),
            sql`${msiInstallments.status} in ${OPEN}`,
            sql`exists (select 1 from msi_payment_plans p where p.id = ${planId} and p.status in ('active', 'defaulted'))`,
          ),
        )
        .returning({ id: msiInstallments.id }),
    ),
    ...completeIfDone(tenantId, planId, userId),
    ...planWhole(tenantId, planId),
  ] as const;
}

/** Cancels an active or defaulted plan and its open installments, with MSI.PlanCancelled. */
export function cancelPlan(tenantId: string, planId: string, userId: string | undefined) {
  return [
    query((db) =>
      db
        .update(msiPaymentPlans)
        .set({
          status: "cancelled",
          cancelledAt: sql`now()`,
          version: sql`${msiPaymentPlans.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(msiPaymentPlans.tenantId, tenantId),
            eq(msiPaymentPlans.id, planId),
            sql`${msiPaymentPlans.status} in ('active', 'defaulted')`,
          ),
        )
        .returning({ id: msiPaymentPlans.id }),
    ),
    exec(sql`update msi_installments set status = 'cancelled', updated_at = now()
      where tenant_id = ${tenantId} and plan_id = ${planId} and status in ${OPEN}
        and exists (select 1 from msi_payment_plans p where p.id = ${planId} and p.status = 'cancelled' and p.xmin = pg_current_xact_id()::xid)`),
    outboxEvents({
      type: "MSI.PlanCancelled",
      context: "msi",
      table: msiPaymentPlans,
      where: sql`t.tenant_id = ${tenantId} and t.id = ${planId} and t.status = 'cancelled' and ${writtenByThisTransaction}`,
      userId,
    }),
    ...planWhole(tenantId, planId),
  ] as const;
}

/**
 * The daily job, per tenant: installments of active plans whose due date is before `today` (the
 * tenant's calendar date) and not covered become `overdue` (MSI.InstallmentOverdue), and plans with
 * `defaultAfter` or more overdue installments become `defaulted` (MSI.PlanDefaulted). Guarded
 * updates: a second run the same day changes nothing, and a payment that commits first wins.
 */
export function markOverdue(tenantId: string, today: string) {
  return [
    exec(sql`update msi_installments i set status = 'overdue', overdue_at = now(), updated_at = now()
      where i.tenant_id = ${tenantId} and i.status = 'pending' and i.due_date < ${today}::date and i.paid_amount < i.amount
        and exists (select 1 from msi_payment_plans p where p.id = i.plan_id and p.status in ('active', 'defaulted'))`),
    outboxEvents({
      type: "MSI.InstallmentOverdue",
      context: "msi",
      table: msiInstallments,
      where: sql`t.tenant_id = ${tenantId} and t.status = 'overdue' and ${writtenByThisTransaction}`,
    }),
    exec(sql`update msi_payment_plans p set status = 'defaulted', defaulted_at = now(), version = version + 1, updated_at = now()
      where p.tenant_id = ${tenantId} and p.status = 'active'
        and (select count(*) from msi_installments i where i.plan_id = p.id and i.status = 'overdue') >=
            coalesce((select case when t.settings->'msi'->>'defaultAfterOverdue' ~ '^[1-9][0-9]?$'
                                  then (t.settings->'msi'->>'defaultAfterOverdue')::int end
                      from tenants t where t.id = ${tenantId}), 3)`),
    outboxEvents({
      type: "MSI.PlanDefaulted",
      context: "msi",
      table: msiPaymentPlans,
      where: sql`t.tenant_id = ${tenantId} and t.status = 'defaulted' and ${writtenByThisTransaction}`,
    }),
  ] as const;
}

/** FK constraint → request field, for the 422 of a reference that is not the tenant's. */
export const PLAN_REFERENCE_FIELDS: Record<string, string> = {
  msi_payment_plans_customer_id_customers_id_fk: "customerId",
};

/** What a plan may be tied to: the invoice (for REPs) and the proposal, as the plan needs them. */
export function planLinks(tenantId: string, invoiceId: string | null, proposalId: string | null) {
  return [
    rows(
      sql`select i.id, i.status, i.metodo_pago, i.forma_pago, i.total::text as total, i.moneda, i.customer_id
          from cfdi_invoices i where i.tenant_id = ${tenantId} and i.id = ${invoiceId ?? NIL_UUID}::uuid`,
      (r) => ({
        id: String(r.id),
        status: String(r.status),
        metodoPago: r.metodo_pago === null ? null : String(r.metodo_pago),
        formaPago: r.forma_pago === null ? null : String(r.forma_pago),
        total: String(r.total),
        moneda: String(r.moneda),
        customerId: r.customer_id === null ? null : String(r.customer_id),
      }),
    ),
    rows(
      sql`select p.id, p.status, p.total::text as total, p.currency, p.customer_id
          from proposals p where p.tenant_id = ${tenantId} and p.id = ${proposalId ?? NIL_UUID}::uuid`,
      (r) => ({
        id: String(r.id),
        status: String(r.status),
        total: String(r.total),
        currency: String(r.currency),
        customerId: r.customer_id === null ? null : String(r.customer_id),
      }),
    ),
  ] as const;
}

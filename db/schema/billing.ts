import { sql } from "drizzle-orm";
import {
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, tenantId, tstz, updatedAt } from "./columns.ts";
import { customers, proposals } from "./crm.ts";
import { tenants } from "./tenants.ts";
import { INVOICE_STATUSES } from "../../core/invoicing/invoice-status.ts";
import { MSI_INSTALLMENT_STATUSES, MSI_PLAN_STATUSES, MSI_REMINDER_KINDS } from "../../core/msi/msi-status.ts";
import type { InvoiceInput } from "../../core/cfdi/invoice-input.ts";

const tenantRef = () => tenantId().references(() => tenants.id, { onDelete: "cascade" });

export const cfdiInvoices = pgTable(
  "cfdi_invoices",
  {
    id: id(),
    tenantId: tenantRef(),
    customerId: uuid("customer_id").references(() => customers.id, { onDelete: "restrict" }),
    proposalId: uuid("proposal_id").references(() => proposals.id, { onDelete: "set null" }),
    serie: text("serie"),
    folio: text("folio"),
    // Folio fiscal (TimbreFiscalDigital UUID), set by the PAC.
    uuid: uuid("uuid"),
    tipoComprobante: text("tipo_comprobante", { enum: ["I", "E", "P", "T", "N"] })
      .notNull()
      .default("I"),
    moneda: text("moneda").notNull().default("MXN"),
    tipoCambio: numeric("tipo_cambio", { precision: 18, scale: 6 }),
    metodoPago: text("metodo_pago"),
    formaPago: text("forma_pago"),
    usoCfdi: text("uso_cfdi"),
    subtotal: numeric("subtotal", { precision: 18, scale: 6 }).notNull(),
    descuento: numeric("descuento", { precision: 18, scale: 6 }).notNull().default("0"),
    total: numeric("total", { precision: 18, scale: 6 }).notNull(),
    status: text("status", { enum: INVOICE_STATUSES }).notNull().default("draft"),
    /** The engine model the invoice is built from (core/cfdi InvoiceInput), as given or mapped from the proposal. */
    input: jsonb("input")
      .$type<InvoiceInput>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** The engine's issues when validation failed ([] for a valid draft). */
    issues: jsonb("issues")
      .$type<{ path: string; code: string; message: string }[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    receptorRfc: text("receptor_rfc"),
    receptorNombre: text("receptor_nombre"),
    version: integer("version").notNull().default(1),
    createdBy: uuid("created_by"),
    xmlR2Key: text("xml_r2_key"),
    /** The CFDI's Fecha (local time at LugarExpedicion) and the stamp's data, as the PAC wrote them. */
    fecha: text("fecha"),
    fechaTimbrado: text("fecha_timbrado"),
    noCertificadoSat: text("no_certificado_sat"),
    selloSat: text("sello_sat"),
    pacProvider: text("pac_provider"),
    pdfR2Key: text("pdf_r2_key"),
    stampedAt: tstz("stamped_at"),
    cancelledAt: tstz("cancelled_at"),
    error: jsonb("error").$type<Record<string, unknown>>(),
    /**
     * The sealed CFDI sent to the PAC, kept until the outcome is known: a retry after a timeout sends
     * the same bytes, so a stamp that did happen comes back as the PAC's "already stamped".
     */
    sealedXml: text("sealed_xml"),
    stampAttempts: integer("stamp_attempts").notNull().default(0),
    /** While `stamping`: who holds the invoice until when (a request, or the stamping queue's next try). */
    stampLeaseUntil: tstz("stamp_lease_until"),
    cancelMotivo: text("cancel_motivo"),
    cancelFolioSustitucion: uuid("cancel_folio_sustitucion"),
    cancelRequestedAt: tstz("cancel_requested_at"),
    /** The last time SAT's status was asked for a `cancel_pending` invoice. */
    cancelCheckedAt: tstz("cancel_checked_at"),
    /** The PAC's acknowledgement (acuse) of the cancellation, when it returned one. */
    cancelAcuse: text("cancel_acuse"),
    /** A recibo de pago (type P): the MSI payment it acknowledges, and the UUID of the invoice it pays. */
    msiPaymentId: uuid("msi_payment_id"),
    relatedUuid: uuid("related_uuid"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("cfdi_invoices_tenant_serie_folio_key").on(t.tenantId, t.serie, t.folio),
    uniqueIndex("cfdi_invoices_uuid_key").on(t.uuid),
    // One recibo de pago per MSI payment (a retried or redelivered payment finds the first).
    uniqueIndex("cfdi_invoices_msi_payment_key")
      .on(t.tenantId, t.msiPaymentId)
      .where(sql`${t.msiPaymentId} IS NOT NULL`),
    index("cfdi_invoices_related_uuid_idx")
      .on(t.tenantId, t.relatedUuid)
      .where(sql`${t.relatedUuid} IS NOT NULL`),
    // The stamping sweep (stuck `stamping`) and the cancellation poll read these few rows across tenants.
    index("cfdi_invoices_in_flight_idx")
      .on(t.status, t.stampLeaseUntil)
      .where(sql`${t.status} IN ('stamping', 'cancel_pending')`),
    index("cfdi_invoices_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    // One live invoice per proposal (a retried "invoice this" finds the first); a cancelled one, or
    // one the engine refused, leaves room for the next attempt.
    uniqueIndex("cfdi_invoices_live_proposal_key")
      .on(t.tenantId, t.proposalId)
      .where(sql`${t.proposalId} IS NOT NULL AND ${t.status} NOT IN ('cancelled', 'validation_failed')`),
  ],
);

export const msiPaymentPlans = pgTable(
  "msi_payment_plans",
  {
    id: id(),
    tenantId: tenantRef(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "restrict" }),
    proposalId: uuid("proposal_id").references(() => proposals.id, { onDelete: "set null" }),
    cfdiInvoiceId: uuid("cfdi_invoice_id").references(() => cfdiInvoices.id, { onDelete: "set null" }),
    totalAmount: numeric("total_amount", { precision: 14, scale: 2 }).notNull(),
    currency: text("currency").notNull().default("MXN"),
    /** Pesos per unit of `currency` when it is not MXN (MSI reminders and summaries speak MXN). */
    exchangeRate: numeric("exchange_rate", { precision: 18, scale: 6 }),
    /** The number of installments (core/msi/schedule.ts MSI_COUNTS). */
    months: integer("months").notNull(),
    /** The start date: installment 1's due date (YYYY-MM-DD in the tenant's zone). */
    firstDueDate: date("first_due_date", { mode: "string" }).notNull(),
    cardProvider: text("card_provider"),
    status: text("status", { enum: MSI_PLAN_STATUSES }).notNull().default("active"),
    version: integer("version").notNull().default(1),
    createdBy: uuid("created_by"),
    completedAt: tstz("completed_at"),
    defaultedAt: tstz("defaulted_at"),
    cancelledAt: tstz("cancelled_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("msi_payment_plans_months", sql`${t.months} IN (3, 6, 9, 12, 18)`),
    check("msi_payment_plans_total_positive", sql`${t.totalAmount} > 0`),
    check("msi_payment_plans_status_check", sql`${t.status} IN ('active', 'completed', 'defaulted', 'cancelled')`),
    check(
      "msi_payment_plans_exchange_rate",
      sql`(${t.currency} = 'MXN') = (${t.exchangeRate} IS NULL) AND (${t.exchangeRate} IS NULL OR ${t.exchangeRate} > 0)`,
    ),
    index("msi_payment_plans_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export const msiInstallments = pgTable(
  "msi_installments",
  {
    id: id(),
    // The seed reached installments' tenant only through the plan; RLS needs it on the row.
    tenantId: tenantRef(),
    planId: uuid("plan_id")
      .notNull()
      .references(() => msiPaymentPlans.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    amount: numeric("amount", { precision: 14, scale: 2 }).notNull(),
    /** What payments have covered so far (partial payments: the next one covers the rest first). */
    paidAmount: numeric("paid_amount", { precision: 14, scale: 2 }).notNull().default("0"),
    status: text("status", { enum: MSI_INSTALLMENT_STATUSES }).notNull().default("pending"),
    paidAt: tstz("paid_at"),
    overdueAt: tstz("overdue_at"),
    waivedAt: tstz("waived_at"),
    waivedBy: uuid("waived_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("msi_installments_plan_number_key").on(t.planId, t.number),
    index("msi_installments_due_idx").on(t.tenantId, t.status, t.dueDate),
    check("msi_installments_status_check", sql`${t.status} IN ('pending', 'paid', 'overdue', 'waived', 'cancelled')`),
    check("msi_installments_paid_range", sql`${t.paidAmount} >= 0 AND ${t.paidAmount} <= ${t.amount}`),
  ],
);

/** A payment received for a plan (POST …/installments/{n}/pay), as the seller recorded it. */
export const msiPayments = pgTable(
  "msi_payments",
  {
    id: id(),
    tenantId: tenantRef(),
    planId: uuid("plan_id")
      .notNull()
      .references(() => msiPaymentPlans.id, { onDelete: "cascade" }),
    /** The installment the payment was made for (it may also cover earlier unpaid rests). */
    installmentNumber: integer("installment_number").notNull(),
    amount: numeric("amount", { precision: 14, scale: 2 }).notNull(),
    /** SAT c_FormaPago (01 efectivo, 03 transferencia, 04 tarjeta de crédito …; never 99). */
    formaPago: text("forma_pago").notNull(),
    reference: text("reference"),
    paidAt: tstz("paid_at").notNull(),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
  },
  (t) => [
    check("msi_payments_amount_positive", sql`${t.amount} > 0`),
    check("msi_payments_forma_pago", sql`${t.formaPago} ~ '^[0-9]{2}$' AND ${t.formaPago} <> '99'`),
    index("msi_payments_plan_idx").on(t.planId, t.paidAt),
  ],
);

/** How a payment was spread over installments (oldest rest first). */
export const msiPaymentAllocations = pgTable(
  "msi_payment_allocations",
  {
    tenantId: tenantRef(),
    paymentId: uuid("payment_id")
      .notNull()
      .references(() => msiPayments.id, { onDelete: "cascade" }),
    installmentId: uuid("installment_id")
      .notNull()
      .references(() => msiInstallments.id, { onDelete: "cascade" }),
    amount: numeric("amount", { precision: 14, scale: 2 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.paymentId, t.installmentId] }),
    check("msi_payment_allocations_amount_positive", sql`${t.amount} > 0`),
  ],
);

/**
 * MSI reminders (issue 14): one row per (installment, kind), claimed before the send, so a kind is
 * sent exactly once however often the cron runs or overlaps; a failed or quota-refused send stays
 * `failed` and the next run tries it again.
 */
export const msiReminders = pgTable(
  "msi_reminders",
  {
    id: id(),
    tenantId: tenantRef(),
    installmentId: uuid("installment_id")
      .notNull()
      .references(() => msiInstallments.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: MSI_REMINDER_KINDS }).notNull(),
    status: text("status", { enum: ["claimed", "sent", "failed"] })
      .notNull()
      .default("claimed"),
    channel: text("channel", { enum: ["whatsapp", "email"] }),
    attempts: integer("attempts").notNull().default(0),
    claimedAt: tstz("claimed_at")
      .notNull()
      .default(sql`now()`),
    sentAt: tstz("sent_at"),
    lastError: text("last_error"),
    providerMessageId: text("provider_message_id"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("msi_reminders_installment_kind_key").on(t.installmentId, t.kind),
    check("msi_reminders_kind_check", sql`${t.kind} IN ('before', 'due', 'overdue_1', 'overdue_7')`),
    check("msi_reminders_status_check", sql`${t.status} IN ('claimed', 'sent', 'failed')`),
    check("msi_reminders_channel_check", sql`${t.channel} IS NULL OR ${t.channel} IN ('whatsapp', 'email')`),
    index("msi_reminders_retry_idx")
      .on(t.tenantId, t.status)
      .where(sql`${t.status} <> 'sent'`),
  ],
);

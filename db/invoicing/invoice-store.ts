import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { InvoiceInput } from "../../core/cfdi/invoice-input.ts";
import type { InvoiceStatus } from "../../core/invoicing/invoice-status.ts";
import { cfdiInvoices } from "../schema/billing.ts";
import { customers, proposalLineItems, proposals } from "../schema/crm.ts";
import { outboxEvents, writeWithEventStatement, writtenByThisTransaction } from "../outbox.ts";
import { builtWith, exec, query, rows, type Results, type Statement } from "../statement.ts";

// Invoices (cfdi_invoices) under RLS: what an invoice is built from, and the invoice rows.

export type InvoiceRow = typeof cfdiInvoices.$inferSelect;

export type ProposalToInvoiceRow = Results<[ReturnType<typeof proposalToInvoice>]>[0][number];

/** The proposal an invoice is made from: its amounts, its status and its customer's fiscal data. */
export function proposalToInvoice(tenantId: string, proposalId: string) {
  return query((db) =>
    db
      .select({
        id: proposals.id,
        status: proposals.status,
        proposalNumber: proposals.proposalNumber,
        currency: proposals.currency,
        exchangeRate: proposals.exchangeRate,
        total: proposals.total,
        customerId: proposals.customerId,
        customerRfc: customers.rfc,
        customerRazonSocial: customers.razonSocial,
        customerRegimenFiscal: customers.regimenFiscal,
        customerCodigoPostal: customers.codigoPostal,
        customerUsoCfdi: customers.usoCfdi,
      })
      .from(proposals)
      .leftJoin(customers, eq(customers.id, proposals.customerId))
      .where(and(eq(proposals.tenantId, tenantId), eq(proposals.id, proposalId))),
  );
}

export function proposalItemsToInvoice(tenantId: string, proposalId: string) {
  return query((db) =>
    db
      .select({
        name: proposalLineItems.name,
        description: proposalLineItems.description,
        quantity: proposalLineItems.quantity,
        unitPrice: proposalLineItems.unitPrice,
        discountPercent: proposalLineItems.discountPercent,
        taxRate: proposalLineItems.taxRate,
        satProductKey: proposalLineItems.satProductKey,
        satUnitKey: proposalLineItems.satUnitKey,
      })
      .from(proposalLineItems)
      .where(and(eq(proposalLineItems.tenantId, tenantId), eq(proposalLineItems.proposalId, proposalId)))
      .orderBy(proposalLineItems.position),
  );
}

/** The proposal's live invoice (neither cancelled nor refused by the engine), if any: one per proposal (cfdi_invoices_live_proposal_key). */
export function liveInvoiceOfProposal(tenantId: string, proposalId: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .select({ id: cfdiInvoices.id })
      .from(cfdiInvoices)
      .where(
        and(
          eq(cfdiInvoices.tenantId, tenantId),
          eq(cfdiInvoices.proposalId, proposalId),
          sql`${cfdiInvoices.status} NOT IN ('cancelled', 'validation_failed')`,
        ),
      ),
  );
}

/** Every invoice of the proposal, newest first, with its status (live or not). */
export function invoicesOfProposal(
  tenantId: string,
  proposalId: string,
): Statement<{ id: string; status: InvoiceStatus }[]> {
  return query((db) =>
    db
      .select({ id: cfdiInvoices.id, status: cfdiInvoices.status })
      .from(cfdiInvoices)
      .where(and(eq(cfdiInvoices.tenantId, tenantId), eq(cfdiInvoices.proposalId, proposalId)))
      .orderBy(sql`${cfdiInvoices.createdAt} desc`),
  );
}

export interface NewInvoice {
  id: string;
  tenantId: string;
  customerId: string | null;
  proposalId: string | null;
  status: Extract<InvoiceStatus, "draft" | "validation_failed">;
  input: InvoiceInput;
  issues: { path: string; code: string; message: string }[];
  serie: string | null;
  moneda: string;
  tipoCambio: string | null;
  metodoPago: string | null;
  formaPago: string | null;
  usoCfdi: string | null;
  receptorRfc: string | null;
  receptorNombre: string | null;
  subtotal: string;
  descuento: string;
  total: string;
  createdBy: string | null;
  /** Type P (recibo de pago): "P", the MSI payment and the paid invoice's UUID. */
  tipoComprobante?: "I" | "P";
  msiPaymentId?: string | null;
  relatedUuid?: string | null;
}

export const LIVE_PROPOSAL_INVOICE_KEY = "cfdi_invoices_live_proposal_key";

/**
 * The new invoice. A second live invoice for one proposal fails the batch (23505 on
 * LIVE_PROPOSAL_INVOICE_KEY), so an Idempotency-Key claimed in the same batch is not kept.
 */
export function insertInvoice(invoice: NewInvoice): Statement<InvoiceRow[]> {
  return query((db) => db.insert(cfdiInvoices).values(invoice).returning());
}

/**
 * CFDI.ValidationFailed for an invoice just inserted as `validation_failed` (the engine's issues are
 * in its data); nothing for a draft. Same batch as insertInvoice.
 */
export function validationFailedEvent(tenantId: string, id: string, userId: string | null) {
  return outboxEvents({
    type: "CFDI.ValidationFailed",
    context: "invoicing",
    table: cfdiInvoices,
    where: sql`t.tenant_id = ${tenantId} and t.id = ${id} and t.status = 'validation_failed' and ${writtenByThisTransaction}`,
    ...(userId ? { userId } : {}),
  });
}

export function getInvoice(tenantId: string, id: string): Statement<InvoiceRow[]> {
  return query((db) =>
    db
      .select()
      .from(cfdiInvoices)
      .where(and(eq(cfdiInvoices.tenantId, tenantId), eq(cfdiInvoices.id, id))),
  );
}

export interface InvoiceListFilter {
  status?: InvoiceStatus | undefined;
  customerId?: string | undefined;
  proposalId?: string | undefined;
  uuid?: string | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  tipoComprobante?: "I" | "P" | undefined;
  /** Recibos de pago of the invoice with this UUID. */
  relatedUuid?: string | undefined;
}

export const invoiceSortColumns = { created: cfdiInvoices.createdAt, updated: cfdiInvoices.updatedAt } as const;

export function listInvoices(
  tenantId: string,
  filter: InvoiceListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<InvoiceRow[]> {
  const where: (SQL | undefined)[] = [eq(cfdiInvoices.tenantId, tenantId), page.after];
  if (filter.status) where.push(eq(cfdiInvoices.status, filter.status));
  if (filter.customerId) where.push(eq(cfdiInvoices.customerId, filter.customerId));
  if (filter.proposalId) where.push(eq(cfdiInvoices.proposalId, filter.proposalId));
  if (filter.uuid) where.push(eq(cfdiInvoices.uuid, filter.uuid));
  if (filter.createdFrom) where.push(gte(cfdiInvoices.createdAt, filter.createdFrom));
  if (filter.createdTo) where.push(lt(cfdiInvoices.createdAt, filter.createdTo));
  if (filter.tipoComprobante) where.push(eq(cfdiInvoices.tipoComprobante, filter.tipoComprobante));
  if (filter.relatedUuid) where.push(eq(cfdiInvoices.relatedUuid, filter.relatedUuid));
  return query((db) =>
    db
      .select()
      .from(cfdiInvoices)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}

/**
 * Who may take an invoice for stamping: a draft, a failed stamp (retried), or one left `stamping`
 * whose holder's lease ran out (a crashed request, a queued retry that is due).
 */
const TAKEABLE = sql`(status in ('draft', 'stamp_failed') or (status = 'stamping' and stamp_lease_until < now()))`;

/** How long a stamping attempt holds the invoice: the PAC's timeout, the seal and the archive, with room. */
export const STAMP_LEASE_SECONDS = 120;

/**
 * Stamping begins: the invoice moves to (or stays in) `stamping` under a lease, so two requests or
 * queue messages never stamp it at once, counts the attempt and takes its folio — the profile's next
 * one, the first time only: a retry keeps the folio it had. Same batch, so the profile's row lock
 * orders concurrent stamps and no folio is handed out twice. The row comes back with `sealed_xml`
 * when an earlier attempt sealed it, to be sent again as it is.
 */
export function claimStamp(tenantId: string, id: string) {
  return [
    exec(sql`update fiscal_profiles set next_folio = next_folio + 1, updated_at = now()
      where tenant_id = ${tenantId}
        and exists (select 1 from cfdi_invoices where tenant_id = ${tenantId} and id = ${id}
                      and folio is null and ${TAKEABLE})`),
    query((db) =>
      db
        .update(cfdiInvoices)
        .set({
          status: "stamping",
          folio: sql`coalesce(${cfdiInvoices.folio}, (select (next_folio - 1)::text from fiscal_profiles where tenant_id = ${tenantId}))`,
          stampAttempts: sql`${cfdiInvoices.stampAttempts} + 1`,
          stampLeaseUntil: sql`now() + make_interval(secs => ${STAMP_LEASE_SECONDS})`,
          version: sql`${cfdiInvoices.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(cfdiInvoices.tenantId, tenantId), eq(cfdiInvoices.id, id), TAKEABLE))
        .returning(),
    ),
  ] as const;
}

/** The sealed CFDI, kept before it goes to the PAC (see `sealed_xml`), with the Fecha it was sealed with. */
export function saveSealed(tenantId: string, id: string, sealedXml: string, fecha: string): Statement<number> {
  return exec(sql`update cfdi_invoices set sealed_xml = ${sealedXml}, fecha = ${fecha}, updated_at = now()
    where tenant_id = ${tenantId} and id = ${id} and status = 'stamping'`);
}

export interface StampRecord {
  uuid: string;
  fecha: string;
  fechaTimbrado: string;
  noCertificadoSat: string;
  selloSat: string;
  xmlR2Key: string;
  pacProvider: string;
}

/** The PAC's stamp on a `stamping` invoice, with CFDI.Stamped; then the invoice as it is. */
export function recordStamp(tenantId: string, id: string, stamp: StampRecord, userId: string | undefined) {
  return [
    builtWith((db) =>
      writeWithEventStatement(
        db
          .update(cfdiInvoices)
          .set({
            status: "stamped",
            uuid: stamp.uuid,
            fecha: stamp.fecha,
            fechaTimbrado: stamp.fechaTimbrado,
            noCertificadoSat: stamp.noCertificadoSat,
            selloSat: stamp.selloSat,
            xmlR2Key: stamp.xmlR2Key,
            pacProvider: stamp.pacProvider,
            stampedAt: sql`now()`,
            error: null,
            sealedXml: null,
            stampLeaseUntil: null,
            version: sql`${cfdiInvoices.version} + 1`,
            updatedAt: sql`now()`,
          })
          .where(and(eq(cfdiInvoices.tenantId, tenantId), eq(cfdiInvoices.id, id), eq(cfdiInvoices.status, "stamping")))
          .returning(),
        { type: "CFDI.Stamped", context: "invoicing", rowId: id, tenantId, userId },
      ),
    ),
    getInvoice(tenantId, id),
  ] as const;
}

/**
 * A stamp that did not happen: `stamp_failed` with the reason, and CFDI.StampFailed. `forgetSealed`
 * when the PAC refused the sealed XML (nothing was stamped, the next try seals anew with a fresh
 * Fecha); kept when the PAC never answered, so a later try sends the same bytes and recovers a stamp
 * that did happen.
 */
export function recordStampFailure(
  tenantId: string,
  id: string,
  error: Record<string, unknown>,
  userId: string | undefined,
  forgetSealed: boolean,
) {
  return [
    exec(sql`update cfdi_invoices set status = 'stamp_failed', error = ${JSON.stringify(error)}::jsonb,
             sealed_xml = case when ${forgetSealed} then null else sealed_xml end, stamp_lease_until = null,
             version = version + 1, updated_at = now()
             where tenant_id = ${tenantId} and id = ${id} and status = 'stamping'`),
    outboxEvents({
      type: "CFDI.StampFailed",
      context: "invoicing",
      table: cfdiInvoices,
      where: sql`t.tenant_id = ${tenantId} and t.id = ${id} and t.status = 'stamp_failed' and ${writtenByThisTransaction}`,
      userId,
    }),
    getInvoice(tenantId, id),
  ] as const;
}

/**
 * The PAC did not answer: the invoice stays `stamping`, with the reason, held until the queued retry
 * is due (`retryInSeconds`) so nothing else takes it before; then the invoice as it is.
 */
export function recordStampRetry(tenantId: string, id: string, error: Record<string, unknown>, retryInSeconds: number) {
  return [
    exec(sql`update cfdi_invoices set error = ${JSON.stringify(error)}::jsonb,
             stamp_lease_until = now() + make_interval(secs => ${retryInSeconds}),
             version = version + 1, updated_at = now()
             where tenant_id = ${tenantId} and id = ${id} and status = 'stamping'`),
    getInvoice(tenantId, id),
  ] as const;
}

/**
 * Invoicing work no person saw fail (auto-invoicing, background stamping) becomes a task on the
 * proposal's timeline for its owner, due in a day. `id` is derived from what failed, so a repeated
 * message leaves one task.
 */
export function insertInvoicingTask(
  tenantId: string,
  task: { id: string; proposalId: string; subject: string; body: string; metadata: Record<string, unknown> },
): Statement<number> {
  return exec(sql`insert into activities (id, tenant_id, type, proposal_id, customer_id, user_id, subject, body, due_at, metadata)
    select ${task.id}::uuid, ${tenantId}::uuid, 'task', p.id, p.customer_id, p.created_by, ${task.subject}, ${task.body},
           now() + interval '1 day', ${JSON.stringify(task.metadata)}::jsonb
    from proposals p where p.tenant_id = ${tenantId} and p.id = ${task.proposalId}
    on conflict (id) do nothing`);
}

export function getInvoiceByUuid(tenantId: string, uuid: string): Statement<InvoiceRow[]> {
  return query((db) =>
    db
      .select()
      .from(cfdiInvoices)
      .where(and(eq(cfdiInvoices.tenantId, tenantId), eq(cfdiInvoices.uuid, uuid))),
  );
}

/**
 * A cancellation begins: `stamped` → `cancel_pending` with the motivo, before the PAC is asked, so
 * two requests never both send it. The PAC's answer then makes it `cancelled`, keeps it pending, or
 * (refused) puts it back to `stamped`.
 */
export function claimCancel(
  tenantId: string,
  id: string,
  motivo: string,
  folioSustitucion: string | null,
): Statement<InvoiceRow[]> {
  return query((db) =>
    db
      .update(cfdiInvoices)
      .set({
        status: "cancel_pending",
        cancelMotivo: motivo,
        cancelFolioSustitucion: folioSustitucion,
        cancelRequestedAt: sql`now()`,
        cancelCheckedAt: null,
        cancelAcuse: null,
        error: null,
        version: sql`${cfdiInvoices.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(cfdiInvoices.tenantId, tenantId), eq(cfdiInvoices.id, id), eq(cfdiInvoices.status, "stamped")))
      .returning(),
  );
}

/** SAT cancelled it: `cancelled`, with CFDI.Cancelled; then the invoice as it is. */
export function recordCancelled(tenantId: string, id: string, acuse: string | null, userId: string | undefined) {
  return [
    builtWith((db) =>
      writeWithEventStatement(
        db
          .update(cfdiInvoices)
          .set({
            status: "cancelled",
            cancelledAt: sql`now()`,
            cancelAcuse: sql`coalesce(${acuse}, ${cfdiInvoices.cancelAcuse})`,
            cancelCheckedAt: sql`now()`,
            error: null,
            version: sql`${cfdiInvoices.version} + 1`,
            updatedAt: sql`now()`,
          })
          .where(
            and(
              eq(cfdiInvoices.tenantId, tenantId),
              eq(cfdiInvoices.id, id),
              eq(cfdiInvoices.status, "cancel_pending"),
            ),
          )
          .returning(),
        { type: "CFDI.Cancelled", context: "invoicing", rowId: id, tenantId, userId },
      ),
    ),
    getInvoice(tenantId, id),
  ] as const;
}

/**
 * Still pending (the receptor has not answered, or the PAC did not): when it was last asked, the
 * acuse when one came, and why it is still pending; then the invoice as it is.
 */
export function recordCancelPending(
  tenantId: string,
  id: string,
  acuse: string | null,
  error: Record<string, unknown> | null,
) {
  return [
    exec(sql`update cfdi_invoices set cancel_checked_at = now(), cancel_acuse = coalesce(${acuse}, cancel_acuse),
             error = ${error === null ? null : JSON.stringify(error)}::jsonb, updated_at = now()
             where tenant_id = ${tenantId} and id = ${id} and status = 'cancel_pending'`),
    getInvoice(tenantId, id),
  ] as const;
}

/** The cancellation did not happen (the PAC refused it, the receptor rejected it): back to `stamped`, with the reason. */
export function recordCancelRefused(tenantId: string, id: string, error: Record<string, unknown>) {
  return [
    exec(sql`update cfdi_invoices set status = 'stamped', error = ${JSON.stringify(error)}::jsonb,
             cancel_motivo = null, cancel_folio_sustitucion = null, cancel_requested_at = null,
             cancel_checked_at = null, version = version + 1, updated_at = now()
             where tenant_id = ${tenantId} and id = ${id} and status = 'cancel_pending'`),
    getInvoice(tenantId, id),
  ] as const;
}

/**
 * What the every-minute sweep follows up, across tenants (crm_system sees only these columns of
 * these rows): invoices left `stamping` past their lease, and cancellations not asked about for
 * `checkEverySeconds`.
 */
export function invoicesToFollowUp(checkEverySeconds: number, limit: number) {
  return query((db) =>
    db
      .select({ id: cfdiInvoices.id, tenantId: cfdiInvoices.tenantId, status: cfdiInvoices.status })
      .from(cfdiInvoices)
      .where(
        sql`(${cfdiInvoices.status} = 'stamping' and ${cfdiInvoices.stampLeaseUntil} < now())
          or (${cfdiInvoices.status} = 'cancel_pending'
              and coalesce(${cfdiInvoices.cancelCheckedAt}, ${cfdiInvoices.cancelRequestedAt}) < now() - make_interval(secs => ${checkEverySeconds}))`,
      )
      .limit(limit),
  );
}

/**
 * What a recibo de pago is made from (issue 14): the payment, its plan, the plan's invoice, the
 * payments made before it (their amounts, oldest first) and the receipt already made for it, if any.
 */
export function paymentForReceipt(tenantId: string, paymentId: string) {
  return [
    rows(
      sql`select m.id, m.amount::text as amount, m.forma_pago, m.reference,
                 to_char(m.paid_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as paid_at,
                 p.id as plan_id, p.currency, p.exchange_rate::text as exchange_rate, p.customer_id, p.cfdi_invoice_id
          from msi_payments m join msi_payment_plans p on p.id = m.plan_id
          where m.tenant_id = ${tenantId} and m.id = ${paymentId}`,
      (r) => ({
        id: String(r.id),
        amount: String(r.amount),
        formaPago: String(r.forma_pago),
        reference: r.reference === null ? null : String(r.reference),
        paidAt: String(r.paid_at),
        planId: String(r.plan_id),
        currency: String(r.currency),
        exchangeRate: r.exchange_rate === null ? null : String(r.exchange_rate),
        customerId: String(r.customer_id),
        invoiceId: r.cfdi_invoice_id === null ? null : String(r.cfdi_invoice_id),
      }),
    ),
    query((db) =>
      db
        .select()
        .from(cfdiInvoices)
        .where(
          and(
            eq(cfdiInvoices.tenantId, tenantId),
            sql`${cfdiInvoices.id} = (select p.cfdi_invoice_id from msi_payments m join msi_payment_plans p on p.id = m.plan_id where m.id = ${paymentId})`,
          ),
        ),
    ),
    rows(
      sql`select b.amount::text as amount from msi_payments m join msi_payments b on b.plan_id = m.plan_id
          where m.tenant_id = ${tenantId} and m.id = ${paymentId} and b.id <> m.id
            and (b.paid_at, b.created_at, b.id) < (m.paid_at, m.created_at, m.id)
          order by b.paid_at, b.created_at, b.id`,
      (r) => String(r.amount),
    ),
    query((db) =>
      db
        .select({ id: cfdiInvoices.id, status: cfdiInvoices.status })
        .from(cfdiInvoices)
        .where(and(eq(cfdiInvoices.tenantId, tenantId), eq(cfdiInvoices.msiPaymentId, paymentId))),
    ),
  ] as const;
}

export const PAYMENT_RECEIPT_KEY = "cfdi_invoices_msi_payment_key";

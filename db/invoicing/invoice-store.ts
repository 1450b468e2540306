import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { InvoiceInput } from "../../core/cfdi/invoice-input.ts";
import type { InvoiceStatus } from "../../core/invoicing/invoice-status.ts";
import { cfdiInvoices } from "../schema/billing.ts";
import { customers, proposalLineItems, proposals } from "../schema/crm.ts";
import { outboxEvents, writeWithEventStatement, writtenByThisTransaction } from "../outbox.ts";
import { builtWith, exec, query, type Statement } from "../statement.ts";

// Invoices (cfdi_invoices) under RLS: what an invoice is built from, and the invoice rows.

export type InvoiceRow = typeof cfdiInvoices.$inferSelect;

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
}

export const LIVE_PROPOSAL_INVOICE_KEY = "cfdi_invoices_live_proposal_key";

/**
 * The new invoice. A second live invoice for one proposal fails the batch (23505 on
 * LIVE_PROPOSAL_INVOICE_KEY), so an Idempotency-Key claimed in the same batch is not kept.
 */
export function insertInvoice(invoice: NewInvoice): Statement<InvoiceRow[]> {
  return query((db) => db.insert(cfdiInvoices).values(invoice).returning());
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
  return query((db) =>
    db
      .select()
      .from(cfdiInvoices)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}

const STAMPABLE = sql`('draft', 'stamp_failed')`;

/**
 * Stamping begins: the invoice moves to `stamping` (only from draft or stamp_failed, so two
 * requests never both stamp it) and takes its folio — the profile's next one, the first time only:
 * a retry after a failed stamp keeps the folio it had. Same batch, so the profile's row lock
 * orders concurrent stamps and no folio is handed out twice.
 */
export function claimStamp(tenantId: string, id: string) {
  return [
    exec(sql`update fiscal_profiles set next_folio = next_folio + 1, updated_at = now()
      where tenant_id = ${tenantId}
        and exists (select 1 from cfdi_invoices where tenant_id = ${tenantId} and id = ${id}
                      and folio is null and status in ${STAMPABLE})`),
    query((db) =>
      db
        .update(cfdiInvoices)
        .set({
          status: "stamping",
          folio: sql`coalesce(${cfdiInvoices.folio}, (select (next_folio - 1)::text from fiscal_profiles where tenant_id = ${tenantId}))`,
          version: sql`${cfdiInvoices.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(cfdiInvoices.tenantId, tenantId),
            eq(cfdiInvoices.id, id),
            sql`${cfdiInvoices.status} in ${STAMPABLE}`,
          ),
        )
        .returning(),
    ),
  ] as const;
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

/** A stamp that did not happen: back to a retryable state with the reason, and CFDI.StampFailed. */
export function recordStampFailure(
  tenantId: string,
  id: string,
  error: Record<string, unknown>,
  userId: string | undefined,
) {
  return [
    exec(sql`update cfdi_invoices set status = 'stamp_failed', error = ${JSON.stringify(error)}::jsonb,
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

import {
  and,
  asc,
  eq,
  getTableColumns,
  gte,
  ilike,
  inArray,
  isNotNull,
  isNull,
  lt,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import type { PgTable, PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { CloudEvent, EventType } from "../../core/events/cloudevents.ts";
import type { ProposalStatus } from "../../core/proposals/proposal-status.ts";
import type { LineAmounts, ProposalTotals } from "../../core/proposals/totals.ts";
import { customers, leads, proposalLineItems, proposals } from "../schema/crm.ts";
import { outboxEvents, writtenByThisTransaction } from "../outbox.ts";
import { exec, query, rows, type Statement } from "../statement.ts";
import { tenantReference } from "../tenant-reference.ts";
import type { Actor } from "../actor.ts";

// The proposals context's SQL: every statement a handler can put in a batch. Each takes the tenant
// explicitly (RLS enforces it too; the explicit filter keeps plans on the tenant indexes). The
// public link's statements (no tenant, the token hash) are in public-link-store.ts.

export type ProposalRow = typeof proposals.$inferSelect;
export type LineItemRow = typeof proposalLineItems.$inferSelect;
export type LineItemInsert = typeof proposalLineItems.$inferInsert;

/** Foreign keys a proposal write can fail on (db/tenant-reference.ts): constraint → body field. */
export const PROPOSAL_REFERENCE_FIELDS = {
  proposals_lead_id_leads_id_fk: "leadId",
  proposals_customer_id_customers_id_fk: "customerId",
};

/** Statuses whose link a rotation may replace: the client can still open and decide. */
export const ROTATABLE_STATUSES = ["sent", "viewed"] as const satisfies readonly ProposalStatus[];

const mine = (tenantId: string, id: string) => and(eq(proposals.tenantId, tenantId), eq(proposals.id, id));
const itemsOf = (tenantId: string, proposalId: string) =>
  and(eq(proposalLineItems.tenantId, tenantId), eq(proposalLineItems.proposalId, proposalId));
/** True in a statement that follows the write of the proposal in the same batch, iff that write changed it. */
const writtenHere = (id: string) =>
  sql`exists (select 1 from proposals t where t.id = ${id}::uuid and ${writtenByThisTransaction})`;

/**
 * Reads a `RETURNING *` row of hand-written SQL as drizzle reads a select of `table`: keys from the
 * column names, values through the columns' driver mappings (timestamps as ISO strings).
 */
function rowOf<T extends PgTable>(table: T): (row: Record<string, unknown>) => T["$inferSelect"] {
  const columns = Object.entries(getTableColumns(table));
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = row[column.name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return out as T["$inferSelect"];
  };
}

const lineItemRow = rowOf(proposalLineItems);

// ---------------------------------------------------------------------------------------------
// Creating

export interface NewProposal {
  id: string;
  title: string;
  leadId?: string | null | undefined;
  customerId?: string | null | undefined;
  currency: string;
  exchangeRate: string;
  validUntil?: string | null | undefined;
  notes?: string | null | undefined;
  terms?: string | null | undefined;
  totals: ProposalTotals;
}

/**
 * Inserts the proposal under the tenant's next number, `COT-{year}-{NNNNN}`, the year in the
 * tenant's time zone. Gap-free: the per-tenant-and-year counter row is bumped by INSERT … ON
 * CONFLICT DO UPDATE, whose row lock serialises concurrent creations; it commits or rolls back with
 * the proposal, so a failed creation leaves no hole. `leadId`/`customerId` outside the tenant fail
 * the foreign key (PROPOSAL_REFERENCE_FIELDS).
 */
export function insertNumberedProposal(actor: Actor, proposal: NewProposal): Statement<number> {
  const { tenantId, userId } = actor;
  const { id, totals } = proposal;
  return exec(sql`with y as (
      select extract(year from now() at time zone coalesce((select timezone from tenants where id = ${tenantId}::uuid), 'America/Mexico_City'))::int as value
    ), seq as (
      insert into proposal_number_sequences (tenant_id, year, last_value)
      select ${tenantId}::uuid, y.value, 1 from y
      on conflict (tenant_id, year) do update set last_value = proposal_number_sequences.last_value + 1
      returning year, last_value
    )
    insert into proposals (id, tenant_id, proposal_number, number_year, number_seq, title, lead_id, customer_id, currency, exchange_rate,
                           valid_until, notes, terms, subtotal, discount_total, tax_total, total, created_by)
    select ${id}::uuid, ${tenantId}::uuid,
           'COT-' || seq.year || '-' || lpad(seq.last_value::text, greatest(5, length(seq.last_value::text)), '0'),
           seq.year, seq.last_value, ${proposal.title}, ${tenantReference(leads, proposal.leadId, tenantId)}, ${tenantReference(customers, proposal.customerId, tenantId)},
           ${proposal.currency}, ${proposal.exchangeRate}::numeric, ${proposal.validUntil ?? null}::date, ${proposal.notes ?? null}, ${proposal.terms ?? null},
           ${totals.subtotal}::numeric, ${totals.discountTotal}::numeric, ${totals.taxTotal}::numeric, ${totals.total}::numeric, ${userId}::uuid
    from seq`);
}

/** The event about one proposal, its payload the row as this batch left it (nothing if the row is absent). */
export function proposalEvent(actor: Actor, type: EventType, id: string): Statement<CloudEvent[]> {
  return outboxEvents({
    type,
    context: "proposals",
    table: proposals,
    rowId: id,
    tenantId: actor.tenantId,
    userId: actor.userId,
    correlationId: actor.correlationId,
  });
}

/** The event about one proposal, only if a guarded write earlier in the batch changed it (a 409/412 leaves none). */
export function proposalChangedEvent(actor: Actor, type: EventType, id: string): Statement<CloudEvent[]> {
  return outboxEvents({
    type,
    context: "proposals",
    table: proposals,
    tenantId: actor.tenantId,
    where: sql`t.id = ${id}::uuid and ${writtenByThisTransaction}`,
    userId: actor.userId,
    correlationId: actor.correlationId,
  });
}

// ---------------------------------------------------------------------------------------------
// Line items. A whole set travels as ONE JSON parameter typed by `jsonb_to_recordset`, so a batch
// has the same statements whatever the item count (none included).

/** A row for proposal_line_items in the JSON of `insertLineItems`/`replaceLineItems`. */
export interface LineItemRecord {
  id: string;
  position: number;
  name: string;
  description: string | null;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_rate: string | null;
  sat_product_key: string | null;
  sat_unit_key: string | null;
  subtotal: string;
  discount: string;
  taxable_base: string;
  tax: string;
  total: string;
}

/** What a client sends for one line (workers/proposals/proposal-schema.ts validates it). */
export interface LineItemFields {
  name: string;
  description?: string | null | undefined;
  quantity: string;
  unitPrice: string;
  discountPercent?: string | null | undefined;
  taxRate: string | null;
  satProductKey?: string | null | undefined;
  satUnitKey?: string | null | undefined;
}

/** A client's line with the stored defaults applied (no discount = "0", absent keys = null). */
export function lineFields(item: LineItemFields) {
  return {
    name: item.name,
    description: item.description ?? null,
    quantity: item.quantity,
    unitPrice: item.unitPrice,
    discountPercent: item.discountPercent ?? "0",
    taxRate: item.taxRate,
    satProductKey: item.satProductKey ?? null,
    satUnitKey: item.satUnitKey ?? null,
  };
}

/** The lines with the amounts computeTotals gave them (same order), numbered from `firstPosition`. */
export function lineRecords(items: LineItemFields[], amounts: LineAmounts[], firstPosition = 1): LineItemRecord[] {
  return items.map((item, i) => {
    const a = amounts[i];
    if (!a) throw new Error("line amounts missing");
    const f = lineFields(item);
    return {
      id: crypto.randomUUID(),
      position: firstPosition + i,
      name: f.name,
      description: f.description,
      quantity: f.quantity,
      unit_price: f.unitPrice,
      discount_percent: f.discountPercent,
      tax_rate: f.taxRate,
      sat_product_key: f.satProductKey,
      sat_unit_key: f.satUnitKey,
      subtotal: a.subtotal,
      discount: a.discount,
      taxable_base: a.taxableBase,
      tax: a.tax,
      total: a.total,
    };
  });
}

function lineItemsInsert(tenantId: string, proposalId: string, records: LineItemRecord[], guard: SQL | undefined): SQL {
  return sql`insert into proposal_line_items
      (id, tenant_id, proposal_id, position, name, description, quantity, unit_price, discount_percent, tax_rate,
       sat_product_key, sat_unit_key, subtotal, discount, taxable_base, tax, total)
    select x.id, ${tenantId}::uuid, ${proposalId}::uuid, x.position, x.name, x.description, x.quantity, x.unit_price, x.discount_percent, x.tax_rate,
           x.sat_product_key, x.sat_unit_key, x.subtotal, x.discount, x.taxable_base, x.tax, x.total
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as x(
      id uuid, position int, name text, description text, quantity numeric, unit_price numeric, discount_percent numeric, tax_rate numeric,
      sat_product_key text, sat_unit_key text, subtotal numeric, discount numeric, taxable_base numeric, tax numeric, total numeric)
    ${guard ? sql`where ${guard}` : sql``}
    returning *`;
}

/** The lines of a proposal inserted in this batch; the rows as stored. */
export function insertLineItems(
  tenantId: string,
  proposalId: string,
  records: LineItemRecord[],
): Statement<LineItemRow[]> {
  return rows(lineItemsInsert(tenantId, proposalId, records, undefined), lineItemRow);
}

/**
 * Replaces all the lines of a proposal, only if a guarded write earlier in the batch changed the
 * proposal (else nothing, []). Returns the new lines as stored.
 */
export function replaceLineItems(
  tenantId: string,
  proposalId: string,
  records: LineItemRecord[],
): Statement<LineItemRow[]> {
  const guard = writtenHere(proposalId);
  return rows(
    sql`with removed as (delete from proposal_line_items where proposal_id = ${proposalId}::uuid and ${guard})
        ${lineItemsInsert(tenantId, proposalId, records, guard)}`,
    lineItemRow,
  );
}

/** The lines of a proposal by position. */
export function listLineItems(tenantId: string, proposalId: string): Statement<LineItemRow[]> {
  return query((db) =>
    db.select().from(proposalLineItems).where(itemsOf(tenantId, proposalId)).orderBy(asc(proposalLineItems.position)),
  );
}

export function insertLineItem(item: LineItemInsert): Statement<{ id: string }[]> {
  return query((db) => db.insert(proposalLineItems).values(item).returning({ id: proposalLineItems.id }));
}

export function deleteLineItems(tenantId: string, proposalId: string, ids: string[]): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .delete(proposalLineItems)
      .where(and(itemsOf(tenantId, proposalId), inArray(proposalLineItems.id, ids)))
      .returning({ id: proposalLineItems.id }),
  );
}

// ---------------------------------------------------------------------------------------------
// Reading, changing and deleting a proposal

export function getProposal(tenantId: string, id: string): Statement<ProposalRow[]> {
  return query((db) => db.select().from(proposals).where(mine(tenantId, id)));
}

export function proposalStatus(tenantId: string, id: string): Statement<{ status: ProposalStatus }[]> {
  return query((db) => db.select({ status: proposals.status }).from(proposals).where(mine(tenantId, id)));
}

/** Only drafts: anything sent is a document the client has seen. */
export function deleteDraftProposal(tenantId: string, id: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .delete(proposals)
      .where(and(mine(tenantId, id), eq(proposals.status, "draft")))
      .returning({ id: proposals.id }),
  );
}

/** What a PATCH may change; undefined leaves a column as it is. */
export interface ProposalChanges {
  title?: string | undefined;
  leadId?: string | null | undefined;
  customerId?: string | null | undefined;
  currency?: string | undefined;
  exchangeRate?: string | undefined;
  validUntil?: string | null | undefined;
  notes?: string | null | undefined;
  terms?: string | null | undefined;
  totals?: ProposalTotals | undefined;
}

/** Changes a draft, at version `expected` when given (If-Match); no row when the guard refused it. */
export function updateDraftProposal(
  tenantId: string,
  id: string,
  changes: ProposalChanges,
  expected: number | undefined,
): Statement<{ id: string }[]> {
  const set: PgUpdateSetSource<typeof proposals> = { updatedAt: sql`now()`, version: sql`${proposals.version} + 1` };
  if (changes.title !== undefined) set.title = changes.title;
  if (changes.leadId !== undefined) set.leadId = tenantReference(leads, changes.leadId, tenantId);
  if (changes.customerId !== undefined) set.customerId = tenantReference(customers, changes.customerId, tenantId);
  if (changes.currency !== undefined) set.currency = changes.currency;
  if (changes.exchangeRate !== undefined) set.exchangeRate = changes.exchangeRate;
  if (changes.validUntil !== undefined) set.validUntil = changes.validUntil;
  if (changes.notes !== undefined) set.notes = changes.notes;
  if (changes.terms !== undefined) set.terms = changes.terms;
  if (changes.totals !== undefined) Object.assign(set, changes.totals);
  const guard: (SQL | undefined)[] = [mine(tenantId, id), eq(proposals.status, "draft")];
  if (expected !== undefined) guard.push(eq(proposals.version, expected));
  return query((db) =>
    db
      .update(proposals)
      .set(set)
      .where(and(...guard))
      .returning({ id: proposals.id }),
  );
}

/** New totals for a draft still at the `version` they were computed from; no row otherwise. */
export function updateDraftTotals(
  tenantId: string,
  id: string,
  totals: ProposalTotals,
  version: number,
): Statement<ProposalRow[]> {
  return query((db) =>
    db
      .update(proposals)
      .set({ ...totals, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
      .where(and(mine(tenantId, id), eq(proposals.version, version), eq(proposals.status, "draft")))
      .returning(),
  );
}

/** Aborts the whole batch (ZT409) unless a write earlier in it changed the proposal. */
export function assertProposalWritten(id: string): Statement<number> {
  return exec(sql`select app_assert(${writtenHere(id)}, 'the proposal changed while its items were being updated')`);
}

// ---------------------------------------------------------------------------------------------
// The public link (only the token's hash is stored)

const newLink = (tokenHash: string) => ({
  publicTokenHash: tokenHash,
  publicTokenCreatedAt: sql`now()`,
  publicTokenRevokedAt: null,
  updatedAt: sql`now()`,
  version: sql`${proposals.version} + 1`,
});

/** draft → sent with a new link; only a draft with at least one line, at version `expected` when given. */
export function sendProposal(
  tenantId: string,
  id: string,
  tokenHash: string,
  expected: number | undefined,
): Statement<{ id: string }[]> {
  const guard: (SQL | undefined)[] = [
    mine(tenantId, id),
    eq(proposals.status, "draft"),
    sql`exists (select 1 from proposal_line_items i where i.proposal_id = ${id}::uuid)`,
  ];
  if (expected !== undefined) guard.push(eq(proposals.version, expected));
  return query((db) =>
    db
      .update(proposals)
      .set({ ...newLink(tokenHash), status: "sent", sentAt: sql`now()` })
      .where(and(...guard))
      .returning({ id: proposals.id }),
  );
}

/** A new link for a sent or viewed proposal, revoking the old one; the status does not change. */
export function rotateProposalLink(
  tenantId: string,
  id: string,
  tokenHash: string,
  expected: number | undefined,
): Statement<{ id: string }[]> {
  const guard: (SQL | undefined)[] = [mine(tenantId, id), inArray(proposals.status, [...ROTATABLE_STATUSES])];
  if (expected !== undefined) guard.push(eq(proposals.version, expected));
  return query((db) =>
    db
      .update(proposals)
      .set(newLink(tokenHash))
      .where(and(...guard))
      .returning({ id: proposals.id }),
  );
}

/** Only an active link; no row when there is none. */
export function revokeProposalLink(tenantId: string, id: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .update(proposals)
      .set({ publicTokenRevokedAt: sql`now()`, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
      .where(and(mine(tenantId, id), isNotNull(proposals.publicTokenHash), isNull(proposals.publicTokenRevokedAt)))
      .returning({ id: proposals.id }),
  );
}

// ---------------------------------------------------------------------------------------------
// Listing

export interface ProposalListFilter {
  status?: ProposalStatus | undefined;
  leadId?: string | undefined;
  customerId?: string | undefined;
  /** A LIKE pattern over number and title. */
  q?: string | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
}

export const proposalSortColumns = { created: proposals.createdAt, updated: proposals.updatedAt } as const;

/** One page: `after` and `orderBy` come from the keyset cursor (workers/http/pagination.ts). */
export function listProposals(
  tenantId: string,
  filter: ProposalListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<ProposalRow[]> {
  const where: (SQL | undefined)[] = [eq(proposals.tenantId, tenantId), page.after];
  if (filter.status) where.push(eq(proposals.status, filter.status));
  if (filter.leadId) where.push(eq(proposals.leadId, filter.leadId));
  if (filter.customerId) where.push(eq(proposals.customerId, filter.customerId));
  if (filter.q) where.push(or(ilike(proposals.proposalNumber, filter.q), ilike(proposals.title, filter.q)));
  if (filter.createdFrom) where.push(gte(proposals.createdAt, filter.createdFrom));
  if (filter.createdTo) where.push(lt(proposals.createdAt, filter.createdTo));
  return query((db) =>
    db
      .select()
      .from(proposals)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}

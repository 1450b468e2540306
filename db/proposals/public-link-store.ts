import { sql, type SQL } from "drizzle-orm";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { isProposalStatus, type ProposalStatus } from "../../core/proposals/proposal-status.ts";
import { proposals } from "../schema/crm.ts";
import { outboxEvents, writtenByThisTransaction } from "../outbox.ts";
import { exec, rows, type Statement } from "../statement.ts";

// The public proposal link's SQL (the pages at /p/{token}). These run in the link's unit of work
// (platform/work.ts publicLinkWork: crm_public resolves the tenant from the token hash, then the
// app role under RLS), so they name the proposal by its token hash, never by tenant and id.
// The page's read also serves the proposal's PDF inside the app (proposalDocument, by id under
// the caller's RLS scope), so a PDF shows the same numbers wherever it is rendered.

/** The proposal behind a link, with what the page shows about its seller and client. */
export interface LinkedProposalRow {
  id: string;
  tenantId: string;
  proposalNumber: string;
  title: string;
  status: ProposalStatus;
  currency: string;
  /** Timestamps as ISO 8601 UTC text; validUntil as YYYY-MM-DD. */
  sentAt: string | null;
  validUntil: string | null;
  acceptedAt: string | null;
  rejectedAt: string | null;
  acceptedByName: string | null;
  rejectionReason: string | null;
  notes: string | null;
  terms: string | null;
  /** Decimal strings. */
  subtotal: string;
  discountTotal: string;
  taxTotal: string;
  total: string;
  version: number;
  revoked: boolean;
  /** valid_until is before today in the tenant's time zone. */
  pastValidity: boolean;
  tenantName: string;
  tenantActive: boolean;
  timezone: string;
  clientName: string | null;
  /** The proposal's stamped invoice, when it has one (the page links its XML and PDF). */
  invoice: StampedInvoiceRef | null;
}

export interface StampedInvoiceRef {
  uuid: string;
  fechaTimbrado: string;
  xmlR2Key: string;
  serie: string | null;
  folio: string | null;
}

export interface LinkedLineItemRow {
  name: string;
  description: string | null;
  /** Decimal strings. */
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  taxRate: string | null;
  total: string;
}

const text = (value: unknown): string => String(value);
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function statusOf(value: unknown): ProposalStatus {
  if (!isProposalStatus(value)) throw new Error(`unknown proposal status ${String(value)}`);
  return value;
}

export function linkedProposal(hash: string): Statement<LinkedProposalRow[]> {
  return proposalRows(sql`p.public_token_hash = ${hash}`);
}

/** The same row by id, for the app's own reads (RLS scopes the tenant; the filter repeats it). */
export function proposalDocument(tenantId: string, id: string): Statement<LinkedProposalRow[]> {
  return proposalRows(sql`p.tenant_id = ${tenantId} and p.id = ${id}`);
}

function proposalRows(where: SQL): Statement<LinkedProposalRow[]> {
  return rows(
    sql`
  select p.id, p.tenant_id, p.proposal_number, p.title, p.status, p.currency,
         to_char(p.sent_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as sent_at,
         p.valid_until::text as valid_until,
         to_char(p.accepted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as accepted_at,
         to_char(p.rejected_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as rejected_at,
         p.accepted_by_name, p.rejection_reason, p.notes, p.terms,
         p.subtotal::text as subtotal, p.discount_total::text as discount_total, p.tax_total::text as tax_total, p.total::text as total,
         p.version, p.public_token_revoked_at is not null as revoked,
         (p.valid_until is not null and p.valid_until < (now() at time zone t.timezone)::date) as past_validity,
         t.name as tenant_name, t.status = 'active' as tenant_active, t.timezone,
         coalesce(cu.razon_social, nullif(trim(ct.first_name || ' ' || coalesce(ct.last_name, '')), ''), l.company_name) as client_name,
         inv.uuid::text as invoice_uuid, inv.fecha_timbrado as invoice_fecha_timbrado, inv.xml_r2_key as invoice_xml_key,
         inv.serie as invoice_serie, inv.folio as invoice_folio
  from proposals p
  join tenants t on t.id = p.tenant_id
  left join customers cu on cu.id = p.customer_id
  left join leads l on l.id = p.lead_id
  left join contacts ct on ct.id = l.contact_id
  left join lateral (
    select i.uuid, i.fecha_timbrado, i.xml_r2_key, i.serie, i.folio from cfdi_invoices i
    where i.tenant_id = p.tenant_id and i.proposal_id = p.id and i.status = 'stamped' and i.xml_r2_key is not null
    order by i.stamped_at desc limit 1
  ) inv on true
  where ${where}`,
    (row) => ({
      id: text(row.id),
      tenantId: text(row.tenant_id),
      proposalNumber: text(row.proposal_number),
      title: text(row.title),
      status: statusOf(row.status),
      currency: text(row.currency),
      sentAt: textOrNull(row.sent_at),
      validUntil: textOrNull(row.valid_until),
      acceptedAt: textOrNull(row.accepted_at),
      rejectedAt: textOrNull(row.rejected_at),
      acceptedByName: textOrNull(row.accepted_by_name),
      rejectionReason: textOrNull(row.rejection_reason),
      notes: textOrNull(row.notes),
      terms: textOrNull(row.terms),
      subtotal: text(row.subtotal),
      discountTotal: text(row.discount_total),
      taxTotal: text(row.tax_total),
      total: text(row.total),
      version: Number(row.version),
      revoked: row.revoked === true,
      pastValidity: row.past_validity === true,
      tenantName: text(row.tenant_name),
      tenantActive: row.tenant_active === true,
      timezone: text(row.timezone),
      clientName: textOrNull(row.client_name),
      invoice:
        row.invoice_uuid && row.invoice_fecha_timbrado && row.invoice_xml_key
          ? {
              uuid: text(row.invoice_uuid).toUpperCase(),
              fechaTimbrado: text(row.invoice_fecha_timbrado),
              xmlR2Key: text(row.invoice_xml_key),
              serie: textOrNull(row.invoice_serie),
              folio: textOrNull(row.invoice_folio),
            }
          : null,
    }),
  );
}

/** The lines of the proposal behind a link, by position. */
export function linkedLineItems(hash: string): Statement<LinkedLineItemRow[]> {
  return lineItemRows(sql`p.public_token_hash = ${hash}`);
}

/** The lines of a proposal by id (see proposalDocument). */
export function proposalDocumentItems(tenantId: string, id: string): Statement<LinkedLineItemRow[]> {
  return lineItemRows(sql`p.tenant_id = ${tenantId} and p.id = ${id}`);
}

function lineItemRows(where: SQL): Statement<LinkedLineItemRow[]> {
  return rows(
    sql`
  select i.name, i.description, i.quantity::text as quantity, i.unit_price::text as unit_price,
         i.discount_percent::text as discount_percent, i.tax_rate::text as tax_rate, i.total::text as total
  from proposal_line_items i join proposals p on p.id = i.proposal_id
  where ${where}
  order by i.position`,
    (row) => ({
      name: text(row.name),
      description: textOrNull(row.description),
      quantity: text(row.quantity),
      unitPrice: text(row.unit_price),
      discountPercent: text(row.discount_percent),
      taxRate: textOrNull(row.tax_rate),
      total: text(row.total),
    }),
  );
}

/** The link is usable for a decision: active, sent/viewed, the tenant's today ≤ valid_until, and the tenant (the seller) is active. */
const decidableWhere = (hash: string) => sql`public_token_hash = ${hash} and public_token_revoked_at is null
  and status in ('sent', 'viewed')
  and (select status from tenants where tenants.id = proposals.tenant_id) = 'active'
  and (valid_until is null or valid_until >= (now() at time zone (select timezone from tenants where tenants.id = proposals.tenant_id))::date)`;

/** A person opened the link: sent → viewed (a decidable proposal only; nothing otherwise). */
export function markViewed(hash: string): Statement<number> {
  return exec(sql`update proposals set status = 'viewed', viewed_at = now(), updated_at = now(), version = version + 1
                  where ${decidableWhere(hash)} and status = 'sent'`);
}

// The events below are guarded by "this transaction wrote the row", not by a timestamp equal to
// now(): two racing requests whose transactions start in the same millisecond would both match
// the winner's stamp, and the loser would write a second event for a change it did not make.

/** Proposal.Viewed, only for the proposal `markViewed` just moved. */
export function viewedEvent(hash: string): Statement<CloudEvent[]> {
  return outboxEvents({
    type: "Proposal.Viewed",
    context: "proposals",
    table: proposals,
    where: sql`t.public_token_hash = ${hash} and t.status = 'viewed' and ${writtenByThisTransaction}`,
  });
}

/** Counts a view of an active link in the proposal's pinned "link views" activity (its id is the proposal's). */
export function countLinkView(hash: string): Statement<number> {
  return exec(sql`insert into activities (id, tenant_id, type, proposal_id, subject, metadata, pinned, expires_at)
                  select p.id, p.tenant_id, 'note', p.id, 'Vistas del enlace público', '{"kind": "public_link_views", "views": 1}'::jsonb, true, null
                  from proposals p where p.public_token_hash = ${hash} and p.public_token_revoked_at is null
                  on conflict (id) do update set
                    metadata = jsonb_set(activities.metadata, '{views}', to_jsonb(coalesce((activities.metadata->>'views')::int, 0) + 1)),
                    occurred_at = now()`);
}

export interface AcceptInput {
  fullName: string;
  rfc: string | null;
  email: string | null;
}

export type ProposalDecision = { kind: "accept"; input: AcceptInput } | { kind: "reject"; reason: string | null };

/** Where the decision came from, kept with it. */
export interface DecisionClient {
  ip: string | null;
  userAgent: string | null;
}

/**
 * Accept or reject, guarded in one statement: only a decidable proposal changes, so a double
 * submit, a second tab or an accept racing a reject yields exactly one outcome (the row lock
 * serialises them; the loser matches nothing). The rows it changed (one or none).
 */
export function decideProposal(
  hash: string,
  decision: ProposalDecision,
  client: DecisionClient,
): Statement<{ id: string }[]> {
  const change =
    decision.kind === "accept"
      ? sql`status = 'accepted', accepted_at = now(), accepted_by_name = ${decision.input.fullName}, accepted_by_rfc = ${decision.input.rfc},
            accepted_by_email = ${decision.input.email}`
      : sql`status = 'rejected', rejected_at = now(), rejection_reason = ${decision.reason}`;
  return rows(
    sql`update proposals set ${change}, decision_ip = ${client.ip}, decision_user_agent = ${client.userAgent},
          viewed_at = coalesce(viewed_at, now()), updated_at = now(), version = version + 1
        where ${decidableWhere(hash)} returning id`,
    (row) => ({ id: text(row.id) }),
  );
}

/** Proposal.Accepted or Proposal.Rejected, only for the proposal `decideProposal` just decided. */
export function decisionEvent(hash: string, kind: ProposalDecision["kind"]): Statement<CloudEvent[]> {
  const status = kind === "accept" ? "accepted" : "rejected";
  return outboxEvents({
    type: kind === "accept" ? "Proposal.Accepted" : "Proposal.Rejected",
    context: "proposals",
    table: proposals,
    where: sql`t.public_token_hash = ${hash} and t.status = ${status} and ${writtenByThisTransaction}`,
  });
}

/** Whether the link can no longer take a decision (revoked, expired, seller suspended); no row for an unknown link. */
export function linkGone(hash: string): Statement<{ gone: boolean }[]> {
  return rows(
    sql`select (public_token_revoked_at is not null or status = 'expired'
                or (select status from tenants where tenants.id = proposals.tenant_id) <> 'active'
                or (status in ('sent', 'viewed') and valid_until < (now() at time zone (select timezone from tenants where tenants.id = proposals.tenant_id))::date)) as gone
        from proposals where public_token_hash = ${hash}`,
    (row) => ({ gone: row.gone === true }),
  );
}

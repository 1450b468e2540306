import { sql } from "drizzle-orm";
import type { Context } from "hono";
import type { ProposalStatus } from "../../core/proposals/proposal-status.ts";
import type { ProposalViewInput } from "../../core/proposals/proposal-view.ts";
import { proposals } from "../../db/schema/crm.ts";
import { type UnitOfWork } from "../../db/unit-of-work.ts";
import type { HonoEnv } from "../context.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { sha256Hex } from "../../core/encoding/digest.ts";
import { publish } from "../events/publish.ts";
import { publicLinkWork } from "../../platform/work.ts";

// Data access for the public proposal pages. Every function is ONE batch (one round trip): the
// link's scope (crm_public resolves the tenant from the token hash, then crm_app under RLS), the
// guarded writes, and the read that renders the page.

/** Tokens are 32 random bytes in base64url (workers/proposals/public-link.ts). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface PublicProposal {
  view: ProposalViewInput;
  id: string;
  tenantId: string;
  version: number;
  tokenHash: string;
  /** Link withdrawn, proposal expired (by status or by date), seller's account suspended: a 410 page. */
  gone: "revoked" | "expired" | "suspended" | null;
  /** Sent or viewed, within validity, link active: the client may accept or reject. */
  decidable: boolean;
}

interface ProposalRow {
  id: string;
  tenant_id: string;
  proposal_number: string;
  title: string;
  status: ProposalStatus;
  currency: string;
  sent_at: string | null;
  valid_until: string | null;
  accepted_at: string | null;
  rejected_at: string | null;
  accepted_by_name: string | null;
  rejection_reason: string | null;
  notes: string | null;
  terms: string | null;
  subtotal: string;
  discount_total: string;
  tax_total: string;
  total: string;
  version: number;
  revoked: boolean;
  past_validity: boolean;
  tenant_name: string;
  tenant_active: boolean;
  timezone: string;
  client_name: string | null;
}

interface ItemRow {
  name: string;
  description: string | null;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_rate: string | null;
  total: string;
}

function uow(c: Context<HonoEnv>, tokenHash: string): UnitOfWork {
  const config = c.get("config");
  return publicLinkWork(config, tokenHash, (p) => c.executionCtx.waitUntil(p));
}

const selectProposal = (hash: string) => sql`
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
         coalesce(cu.razon_social, nullif(trim(ct.first_name || ' ' || coalesce(ct.last_name, '')), ''), l.company_name) as client_name
  from proposals p
  join tenants t on t.id = p.tenant_id
  left join customers cu on cu.id = p.customer_id
  left join leads l on l.id = p.lead_id
  left join contacts ct on ct.id = l.contact_id
  where p.public_token_hash = ${hash}`;

const selectItems = (hash: string) => sql`
  select i.name, i.description, i.quantity::text as quantity, i.unit_price::text as unit_price,
         i.discount_percent::text as discount_percent, i.tax_rate::text as tax_rate, i.total::text as total
  from proposal_line_items i join proposals p on p.id = i.proposal_id
  where p.public_token_hash = ${hash}
  order by i.position`;

/** The link is usable for a decision: active, sent/viewed, the tenant's today ≤ valid_until, and the tenant (the seller) is active. */
const decidableWhere = (hash: string) => sql`public_token_hash = ${hash} and public_token_revoked_at is null
  and status in ('sent', 'viewed')
  and (select status from tenants where tenants.id = proposals.tenant_id) = 'active'
  and (valid_until is null or valid_until >= (now() at time zone (select timezone from tenants where tenants.id = proposals.tenant_id))::date)`;

function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function toPublic(row: ProposalRow, items: ItemRow[], hash: string): PublicProposal {
  const gone = !row.tenant_active
    ? "suspended"
    : row.revoked
      ? "revoked"
      : row.status === "expired" || (row.past_validity && (row.status === "sent" || row.status === "viewed"))
        ? "expired"
        : null;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    version: row.version,
    tokenHash: hash,
    gone,
    decidable: gone === null && (row.status === "sent" || row.status === "viewed"),
    view: {
      tenantName: row.tenant_name,
      number: row.proposal_number,
      title: row.title,
      status: gone === "expired" ? "expired" : row.status,
      clientName: row.client_name,
      currency: row.currency,
      sentAt: row.sent_at,
      validUntil: row.valid_until,
      decidedAt: row.accepted_at ?? row.rejected_at,
      acceptedByName: row.accepted_by_name,
      rejectionReason: row.rejection_reason,
      notes: row.notes,
      terms: row.terms,
      timezone: row.timezone,
      items: items.map((i) => ({
        name: i.name,
        description: i.description,
        quantity: i.quantity,
        unitPrice: i.unit_price,
        discountPercent: i.discount_percent,
        taxRate: i.tax_rate,
        total: i.total,
      })),
      totals: { subtotal: row.subtotal, discountTotal: row.discount_total, taxTotal: row.tax_total, total: row.total },
    },
  };
}

export async function tokenHashOf(token: string): Promise<string> {
  return sha256Hex(token);
}

/**
 * Loads the proposal behind a link. `recordView`: a person (not a link previewer) opened it — the
 * first such view moves sent → viewed with one Proposal.Viewed event; every view bumps the view
 * counter activity. Returns null for an unknown link.
 */
export async function loadPublicProposal(c: Context<HonoEnv>, token: string, recordView: boolean): Promise<PublicProposal | null> {
  const hash = await tokenHashOf(token);
  const work = uow(c, hash);
  if (!recordView) {
    const [proposal, items] = await work.batch((db) => [db.execute(selectProposal(hash)), db.execute(selectItems(hash))]);
    const row = rowsOf<ProposalRow>(proposal)[0];
    return row ? toPublic(row, rowsOf<ItemRow>(items), hash) : null;
  }
  const [, event, , proposal, items] = await work.batch((db) => [
    db.execute(sql`update proposals set status = 'viewed', viewed_at = now(), updated_at = now(), version = version + 1
                   where ${decidableWhere(hash)} and status = 'sent'`),
    db.execute(outboxInsert({ type: "Proposal.Viewed", context: "proposals", table: proposals, where: sql`t.public_token_hash = ${hash} and t.status = 'viewed' and t.viewed_at = now()::timestamptz(3)` })),
    db.execute(sql`insert into activities (id, tenant_id, type, proposal_id, subject, metadata, pinned, expires_at)
                   select p.id, p.tenant_id, 'note', p.id, 'Vistas del enlace público', '{"kind": "public_link_views", "views": 1}'::jsonb, true, null
                   from proposals p where p.public_token_hash = ${hash} and p.public_token_revoked_at is null
                   on conflict (id) do update set
                     metadata = jsonb_set(activities.metadata, '{views}', to_jsonb(coalesce((activities.metadata->>'views')::int, 0) + 1)),
                     occurred_at = now()`),
    db.execute(selectProposal(hash)),
    db.execute(selectItems(hash)),
  ]);
  publish(c, eventsFrom(event));
  const row = rowsOf<ProposalRow>(proposal)[0];
  return row ? toPublic(row, rowsOf<ItemRow>(items), hash) : null;
}

export type DecisionOutcome = "accepted" | "rejected" | "unchanged" | "gone" | "not-found";

export interface AcceptInput {
  fullName: string;
  rfc: string | null;
  email: string | null;
}

/**
 * Accept or reject, guarded in one statement: only a decidable proposal changes, so a double
 * submit, a second tab or an accept racing a reject yields exactly one outcome (the row lock
 * serialises them; the loser matches nothing and sees the final state).
 */
export async function decide(
  c: Context<HonoEnv>,
  token: string,
  decision: { kind: "accept"; input: AcceptInput } | { kind: "reject"; reason: string | null },
): Promise<DecisionOutcome> {
  const hash = await tokenHashOf(token);
  const ip = c.req.header("cf-connecting-ip") ?? null;
  const userAgent = c.req.header("user-agent")?.slice(0, 500) ?? null;
  const change =
    decision.kind === "accept"
      ? sql`status = 'accepted', accepted_at = now(), accepted_by_name = ${decision.input.fullName}, accepted_by_rfc = ${decision.input.rfc},
            accepted_by_email = ${decision.input.email}`
      : sql`status = 'rejected', rejected_at = now(), rejection_reason = ${decision.reason}`;
  const status = decision.kind === "accept" ? "accepted" : "rejected";
  const stamp = decision.kind === "accept" ? sql.raw("accepted_at") : sql.raw("rejected_at");
  const [updated, event, exists] = await uow(c, hash).batch((db) => [
    db.execute(sql`update proposals set ${change}, decision_ip = ${ip}, decision_user_agent = ${userAgent},
                     viewed_at = coalesce(viewed_at, now()), updated_at = now(), version = version + 1
                   where ${decidableWhere(hash)} returning id`),
    db.execute(outboxInsert({
      type: decision.kind === "accept" ? "Proposal.Accepted" : "Proposal.Rejected",
      context: "proposals",
      table: proposals,
      where: sql`t.public_token_hash = ${hash} and t.status = ${status} and t.${stamp} = now()::timestamptz(3)`,
    })),
    db.execute(sql`select (public_token_revoked_at is not null or status = 'expired'
                           or (select status from tenants where tenants.id = proposals.tenant_id) <> 'active'
                           or (status in ('sent', 'viewed') and valid_until < (now() at time zone (select timezone from tenants where tenants.id = proposals.tenant_id))::date)) as gone
                   from proposals where public_token_hash = ${hash}`),
  ]);
  publish(c, eventsFrom(event));
  if (rowsOf(updated).length > 0) return status;
  const row = rowsOf<{ gone: boolean }>(exists)[0];
  if (!row) return "not-found";
  return row.gone ? "gone" : "unchanged";
}

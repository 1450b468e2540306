import { and, eq, gte, ilike, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { CloudEvent, EventType } from "../../core/events/cloudevents.ts";
import type { LeadStatus } from "../../core/leads/lead-status.ts";
import { contacts, leads, leadSources } from "../schema/crm.ts";
import { users } from "../schema/tenants.ts";
import { outboxEvents, writeWithEventStatement, writtenByThisTransaction, type OutboxEventSpec } from "../outbox.ts";
import { exec, query, type Statement, builtWith } from "../statement.ts";
import { tenantReference } from "../tenant-reference.ts";
import type { Actor } from "../actor.ts";

// The leads context's SQL. Contact, source and owner ids are resolved inside the tenant
// (db/tenant-reference.ts): another tenant's id fails the batch on the column's FK.

export type LeadRow = typeof leads.$inferSelect;

/** The FKs a reference outside the tenant fails on, by the field that named it. */
export const LEAD_REFERENCE_FKS = {
  leads_contact_id_contacts_id_fk: "contactId",
  leads_source_id_lead_sources_id_fk: "sourceId",
  leads_owner_id_users_id_fk: "ownerId",
} as const;
export type LeadReferenceField = (typeof LEAD_REFERENCE_FKS)[keyof typeof LEAD_REFERENCE_FKS];

export function leadReferenceField(constraint: string | undefined): LeadReferenceField | undefined {
  return constraint && constraint in LEAD_REFERENCE_FKS
    ? LEAD_REFERENCE_FKS[constraint as keyof typeof LEAD_REFERENCE_FKS]
    : undefined;
}

/**
 * A statement drizzle can only build from a database (an UPDATE query builder, here inside the CTE
 * that writes its event): made when the batch is built, read by what was made. Belongs with
 * db/statement.ts; kept here until that module takes it.
 */

export interface NewLead {
  id: string;
  title: string;
  contactId?: string | null | undefined;
  sourceId?: string | null | undefined;
  /** Default: the actor (provisioned in `users` by the unit of work's first statement). */
  ownerId?: string | null | undefined;
  companyName?: string | null | undefined;
  companyRfc?: string | null | undefined;
  industry?: string | null | undefined;
  estimatedValue?: string | null | undefined;
  currency?: string | undefined;
  customFields?: Record<string, unknown> | undefined;
  nextFollowUpAt?: string | null | undefined;
}

/** A contact inserted earlier in the same batch resolves like any other contact of the tenant. */
export function insertLead(actor: Actor, lead: NewLead): Statement<LeadRow[]> {
  return query((db) =>
    db
      .insert(leads)
      .values({
        id: lead.id,
        tenantId: actor.tenantId,
        title: lead.title,
        contactId: lead.contactId ? tenantReference(contacts, lead.contactId, actor.tenantId) : null,
        sourceId: lead.sourceId ? tenantReference(leadSources, lead.sourceId, actor.tenantId) : null,
        ownerId: tenantReference(users, lead.ownerId ?? actor.userId, actor.tenantId),
        companyName: lead.companyName ?? null,
        companyRfc: lead.companyRfc ?? null,
        industry: lead.industry ?? null,
        estimatedValue: lead.estimatedValue ?? null,
        currency: lead.currency ?? "MXN",
        customFields: lead.customFields ?? {},
        nextFollowUpAt: lead.nextFollowUpAt ?? null,
      })
      .returning(),
  );
}

function leadEventSpec(actor: Actor, type: EventType, id: string): Omit<OutboxEventSpec, "table"> {
  return {
    type,
    context: "leads",
    rowId: id,
    tenantId: actor.tenantId,
    userId: actor.userId,
    correlationId: actor.correlationId,
  };
}

/** The event about one lead, its payload the row as this batch left it (nothing if the row is absent). */
export function leadEvent(actor: Actor, type: EventType, id: string): Statement<CloudEvent[]> {
  return outboxEvents({ ...leadEventSpec(actor, type, id), table: leads });
}

export function getLead(tenantId: string, id: string): Statement<LeadRow[]> {
  return query((db) =>
    db
      .select()
      .from(leads)
      .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id))),
  );
}

/** PATCHable fields; status and score are not (transitions below, the scoring job). */
export type LeadChanges = Partial<Omit<NewLead, "id">>;

/**
 * A guarded update with its `Lead.Updated` event in the same statement: with `version`, only that
 * version is written. The events it wrote: none when the lead is absent or the version is stale.
 */
export function updateLead(
  actor: Actor,
  id: string,
  changes: LeadChanges,
  version: number | undefined,
): Statement<CloudEvent[]> {
  const { contactId, sourceId, ownerId, ...fields } = changes;
  const set: PgUpdateSetSource<typeof leads> = { ...fields, version: sql`${leads.version} + 1`, updatedAt: sql`now()` };
  if (contactId !== undefined) set.contactId = contactId && tenantReference(contacts, contactId, actor.tenantId);
  if (sourceId !== undefined) set.sourceId = sourceId && tenantReference(leadSources, sourceId, actor.tenantId);
  if (ownerId !== undefined) set.ownerId = ownerId && tenantReference(users, ownerId, actor.tenantId);
  const mine = and(eq(leads.tenantId, actor.tenantId), eq(leads.id, id));
  const where = version === undefined ? mine : and(mine, eq(leads.version, version));
  return builtWith((db) =>
    writeWithEventStatement(
      db.update(leads).set(set).where(where).returning(),
      leadEventSpec(actor, "Lead.Updated", id),
    ),
  );
}

export function deleteLead(tenantId: string, id: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .delete(leads)
      .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)))
      .returning({ id: leads.id }),
  );
}

export interface LeadMove {
  id: string;
  /** The statuses the lead may be in (core/leads/lead-status.ts decides them). */
  from: readonly LeadStatus[];
  to: LeadStatus;
  event: EventType;
  /** Why a lost lead was lost (the leads_lost_reason CHECK requires it for `lost`). */
  lostReason?: string | undefined;
  /** The customer a conversion creates (`insertCustomerFromLead`); `converted_at` is set with it. */
  convertedCustomerId?: string | undefined;
}

/** Moves the lead only if its status is one of `from`, with its event in the same statement (none when it did not move). */
export function moveLead(actor: Actor, move: LeadMove): Statement<CloudEvent[]> {
  return builtWith((db) =>
    writeWithEventStatement(
      db
        .update(leads)
        .set({
          status: move.to,
          ...(move.lostReason === undefined ? {} : { lostReason: move.lostReason }),
          ...(move.convertedCustomerId === undefined
            ? {}
            : { convertedCustomerId: move.convertedCustomerId, convertedAt: sql`now()` }),
          version: sql`${leads.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(leads.tenantId, actor.tenantId), eq(leads.id, move.id), inArray(leads.status, [...move.from])))
        .returning(),
      leadEventSpec(actor, move.event, move.id),
    ),
  );
}

/** Prefix of the `app_assert` message that marks a refused move; the lead's status follows it. */
const MOVE_REFUSED = "lead transition refused: ";

/**
 * Aborts the batch unless an earlier statement of it moved the lead. The abort's message carries
 * the lead's current status (empty when there is no such lead), read by `refusedMoveStatus`.
 */
export function assertLeadMoved(id: string): Statement<number> {
  return exec(sql`select app_assert(exists (select 1 from leads t where t.id = ${id}::uuid and ${writtenByThisTransaction}),
    ${MOVE_REFUSED} || coalesce((select status from leads where id = ${id}::uuid), ''))`);
}

/** The status in an `assertLeadMoved` abort message ("" when the lead is not there); undefined for any other message. */
export function refusedMoveStatus(message: string): string | undefined {
  return message.startsWith(MOVE_REFUSED) ? message.slice(MOVE_REFUSED.length) : undefined;
}

export interface LeadListFilter {
  statuses?: readonly LeadStatus[] | undefined;
  ownerId?: string | undefined;
  sourceId?: string | undefined;
  minScore?: number | undefined;
  maxScore?: number | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  /** A LIKE pattern over title, company name, company RFC and industry. */
  q?: string | undefined;
}

export const leadSortColumns = { created: leads.createdAt, updated: leads.updatedAt, score: leads.score } as const;

/** One page: `after` and `orderBy` come from the keyset cursor (workers/http/pagination.ts). */
export function listLeads(
  tenantId: string,
  filter: LeadListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<LeadRow[]> {
  const where: (SQL | undefined)[] = [eq(leads.tenantId, tenantId), page.after];
  if (filter.statuses) where.push(inArray(leads.status, [...filter.statuses]));
  if (filter.ownerId) where.push(eq(leads.ownerId, filter.ownerId));
  if (filter.sourceId) where.push(eq(leads.sourceId, filter.sourceId));
  if (filter.minScore !== undefined) where.push(gte(leads.score, filter.minScore));
  if (filter.maxScore !== undefined) where.push(lte(leads.score, filter.maxScore));
  if (filter.createdFrom) where.push(gte(leads.createdAt, filter.createdFrom));
  if (filter.createdTo) where.push(lt(leads.createdAt, filter.createdTo));
  if (filter.q) {
    const pattern = filter.q;
    where.push(
      or(
        ilike(leads.title, pattern),
        ilike(leads.companyName, pattern),
        ilike(leads.companyRfc, pattern),
        ilike(leads.industry, pattern),
      ),
    );
  }
  return query((db) =>
    db
      .select()
      .from(leads)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}

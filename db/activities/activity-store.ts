import { and, eq, gte, lt, ne, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { CloudEvent, EventType } from "../../core/events/cloudevents.ts";
import { activities, customers, leads, proposals } from "../schema/crm.ts";
import { outboxEvents } from "../outbox.ts";
import { query, type Statement } from "../statement.ts";
import { tenantReference } from "../tenant-reference.ts";
import type { Actor } from "../actor.ts";

// The activities context's SQL: every statement a handler or the daily job can put in a batch.
// Each takes the tenant explicitly (RLS enforces it too; the explicit filter keeps plans on the
// tenant indexes). Status-change activities are written by the event consumer (queues/event-handlers.ts).

export type ActivityRow = typeof activities.$inferSelect;
export type ActivityType = ActivityRow["type"];

export interface NewActivity {
  id: string;
  type: ActivityType;
  leadId?: string | null | undefined;
  customerId?: string | null | undefined;
  proposalId?: string | null | undefined;
  subject?: string | null | undefined;
  body?: string | null | undefined;
  occurredAt?: string | undefined;
  dueAt?: string | null | undefined;
  completedAt?: string | null | undefined;
  pinned?: boolean | undefined;
}

/** The foreign keys a reference violates (db/tenant-reference.ts), by the field that names it. */
export const ACTIVITY_REFERENCES = {
  activities_lead_id_leads_id_fk: "leadId",
  activities_customer_id_customers_id_fk: "customerId",
  activities_proposal_id_proposals_id_fk: "proposalId",
};

/** Logged by `actor`; each reference must name a record of the tenant, or the batch fails (23503). */
export function insertActivity(actor: Actor, activity: NewActivity): Statement<ActivityRow[]> {
  return query((db) =>
    db
      .insert(activities)
      .values({
        id: activity.id,
        tenantId: actor.tenantId,
        type: activity.type,
        leadId: tenantReference(leads, activity.leadId, actor.tenantId),
        customerId: tenantReference(customers, activity.customerId, actor.tenantId),
        proposalId: tenantReference(proposals, activity.proposalId, actor.tenantId),
        userId: actor.userId,
        subject: activity.subject ?? null,
        body: activity.body ?? null,
        ...(activity.occurredAt ? { occurredAt: activity.occurredAt } : {}),
        dueAt: activity.dueAt ?? null,
        completedAt: activity.completedAt ?? null,
        pinned: activity.pinned ?? false,
        // Pinned: kept; otherwise the column default (now() + 90 days).
        ...(activity.pinned ? { expiresAt: null } : {}),
      })
      .returning(),
  );
}

/** The event about one activity, its payload the row as this batch left it (nothing if the row is absent). */
export function activityEvent(actor: Actor, type: EventType, id: string): Statement<CloudEvent[]> {
  return outboxEvents({
    type,
    context: "activities",
    table: activities,
    rowId: id,
    tenantId: actor.tenantId,
    userId: actor.userId,
    correlationId: actor.correlationId,
  });
}

function byId(tenantId: string, id: string): SQL | undefined {
  return and(eq(activities.tenantId, tenantId), eq(activities.id, id));
}

export function getActivity(tenantId: string, id: string): Statement<ActivityRow[]> {
  return query((db) => db.select().from(activities).where(byId(tenantId, id)));
}

/** Whether the activity exists, without reading its (possibly long) body. */
export function getActivityId(tenantId: string, id: string): Statement<{ id: string }[]> {
  return query((db) => db.select({ id: activities.id }).from(activities).where(byId(tenantId, id)));
}

export interface ActivityChanges {
  type?: ActivityType | undefined;
  subject?: string | null | undefined;
  body?: string | null | undefined;
  occurredAt?: string | undefined;
  dueAt?: string | null | undefined;
  completedAt?: string | null | undefined;
  pinned?: boolean | undefined;
}

/**
 * Pinning keeps the activity (no expiry); unpinning gives it 90 days from now. A change to anything
 * but `pinned` leaves a status change (logged by the system) alone: no row back then.
 */
export function updateActivity(tenantId: string, id: string, changes: ActivityChanges): Statement<{ id: string }[]> {
  const { pinned, ...fields } = changes;
  const set: PgUpdateSetSource<typeof activities> = { ...fields };
  if (pinned !== undefined) {
    set.pinned = pinned;
    set.expiresAt = pinned ? null : sql`now() + interval '90 days'`;
  }
  const editsContent = Object.keys(fields).length > 0;
  return query((db) =>
    db
      .update(activities)
      .set(set)
      .where(and(byId(tenantId, id), editsContent ? ne(activities.type, "status_change") : undefined))
      .returning({ id: activities.id }),
  );
}

/** With `authorId`, only if that user logged it. */
export function deleteActivity(tenantId: string, id: string, authorId?: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .delete(activities)
      .where(and(byId(tenantId, id), authorId === undefined ? undefined : eq(activities.userId, authorId)))
      .returning({ id: activities.id }),
  );
}

/** Unpinned activities past their retention (the daily job). */
export function purgeExpiredActivities(tenantId: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .delete(activities)
      .where(and(eq(activities.tenantId, tenantId), eq(activities.pinned, false), lt(activities.expiresAt, sql`now()`)))
      .returning({ id: activities.id }),
  );
}

export interface ActivityListFilter {
  leadId?: string | undefined;
  customerId?: string | undefined;
  proposalId?: string | undefined;
  userId?: string | undefined;
  type?: ActivityType | undefined;
  occurredFrom?: string | undefined;
  occurredTo?: string | undefined;
}

export const activitySortColumns = { occurred: activities.occurredAt, created: activities.createdAt } as const;

/** One page: `after` and `orderBy` come from the keyset cursor (workers/http/pagination.ts). */
export function listActivities(
  tenantId: string,
  filter: ActivityListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<ActivityRow[]> {
  const where: (SQL | undefined)[] = [eq(activities.tenantId, tenantId), page.after];
  if (filter.leadId) where.push(eq(activities.leadId, filter.leadId));
  if (filter.customerId) where.push(eq(activities.customerId, filter.customerId));
  if (filter.proposalId) where.push(eq(activities.proposalId, filter.proposalId));
  if (filter.userId) where.push(eq(activities.userId, filter.userId));
  if (filter.type) where.push(eq(activities.type, filter.type));
  if (filter.occurredFrom) where.push(gte(activities.occurredAt, filter.occurredFrom));
  if (filter.occurredTo) where.push(lt(activities.occurredAt, filter.occurredTo));
  return query((db) =>
    db
      .select()
      .from(activities)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}

import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { EXPIRABLE_PROPOSAL_STATUSES } from "../../core/proposals/proposal-status.ts";
import { proposals } from "../schema/crm.ts";
import { idempotencyKeys } from "../schema/system.ts";
import { outboxEventSizes } from "../outbox-store.ts";
import { query, type Statement } from "../statement.ts";

// The daily job's own statements (workers/cron/daily-maintenance.ts), each for one tenant in its
// scope. Each is a guarded update or a delete of expired rows, so a repeated run changes nothing.
// Activities past their retention: db/activities/activity-store.ts (purgeExpiredActivities).

/**
 * Offered proposals past `valid_until` become expired. The tenant's calendar date decides: a
 * proposal valid until the 28th is valid all of the 28th in the tenant's time zone.
 */
export function expireProposals(tenantId: string, at: { now: Date; timezone: string }): Statement<{ id: string }[]> {
  const today = sql`(${at.now.toISOString()}::timestamptz at time zone ${at.timezone})::date`;
  return query((db) =>
    db
      .update(proposals)
      .set({ status: "expired", expiredAt: sql`now()`, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
      .where(
        and(
          eq(proposals.tenantId, tenantId),
          inArray(proposals.status, [...EXPIRABLE_PROPOSAL_STATUSES]),
          lt(proposals.validUntil, today),
        ),
      )
      .returning({ id: proposals.id }),
  );
}

/** Proposal.Expired for each proposal `expireProposals` expired in this transaction: ids and sizes only (outboxEventSizes). */
export function proposalsExpiredEvents(tenantId: string): Statement<{ id: string; bytes: number }[]> {
  return outboxEventSizes({
    type: "Proposal.Expired",
    context: "proposals",
    table: proposals,
    tenantId,
    where: sql`t.status = 'expired' and t.expired_at = now()::timestamptz(3)`,
  });
}

/** Idempotency keys past their 24 h. */
export function purgeExpiredIdempotencyKeys(tenantId: string): Statement<{ key: string }[]> {
  return query((db) =>
    db
      .delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.tenantId, tenantId), lt(idempotencyKeys.expiresAt, sql`now()`)))
      .returning({ key: idempotencyKeys.key }),
  );
}

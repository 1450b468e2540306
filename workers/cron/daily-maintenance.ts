import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Logger } from "../../core/logging/logger.ts";
import { activities, proposals } from "../../db/schema/crm.ts";
import { idempotencyKeys } from "../../db/schema/system.ts";
import { tenants } from "../../db/schema/tenants.ts";
import type { Config, Env } from "../../platform/env.ts";
import { outboxInsert } from "../../db/outbox.ts";
import { relayOutboxRows } from "../../platform/outbox-relay.ts";
import { systemWork, tenantWork } from "../../platform/work.ts";

export interface MaintenanceResult {
  tenants: number;
  proposalsExpired: number;
  activitiesPurged: number;
  idempotencyKeysPurged: number;
  /** Proposal.Expired events written to the outbox. */
  events: number;
  /** Of those, accepted by the queue in this run (the rest are the outbox sweep's). */
  eventsSent: number;
}

export interface MaintenanceOptions {
  /** Only these tenants (a manual catch-up for one tenant); default every active tenant. */
  tenantIds?: readonly string[];
}

/**
 * Daily, early morning in Mexico: per tenant (in its own time zone and its own RLS scope) mark
 * proposals past `valid_until` expired (with their Proposal.Expired events), and drop activities
 * past their 90-day retention and idempotency keys past 24 h. Every step is a guarded update or a
 * delete of expired rows, so a repeated run changes nothing. After each tenant's commit its events
 * go to the queue through the size-aware relay (any number of them, any size).
 */
export async function runDailyMaintenance(
  env: Env,
  config: Config,
  logger: Logger,
  waitUntil: (p: Promise<unknown>) => void,
  now = new Date(),
  options: MaintenanceOptions = {},
): Promise<MaintenanceResult> {
  const system = systemWork(config, waitUntil);
  const active = eq(tenants.status, "active");
  const [list] = await system.batch((db) => [
    db.select({ id: tenants.id, timezone: tenants.timezone }).from(tenants).where(options.tenantIds ? and(active, inArray(tenants.id, [...options.tenantIds])) : active),
  ]);
  const result: MaintenanceResult = { tenants: list.length, proposalsExpired: 0, activitiesPurged: 0, idempotencyKeysPurged: 0, events: 0, eventsSent: 0 };
  const nowIso = now.toISOString();

  for (const tenant of list) {
    const uow = tenantWork(config, tenant.id, undefined, waitUntil);
    // The tenant's calendar date decides validity: a proposal valid until the 28th is valid all of
    // the 28th in Mexico City.
    const today = sql`(${nowIso}::timestamptz at time zone ${tenant.timezone})::date`;
    let written: { id: string; bytes: number }[];
    try {
      const [expired, events, purged, keys] = await uow.batch((db) => [
        db
          .update(proposals)
          .set({ status: "expired", expiredAt: sql`now()`, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
          .where(and(eq(proposals.tenantId, tenant.id), inArray(proposals.status, ["sent", "viewed"]), lt(proposals.validUntil, today)))
          .returning({ id: proposals.id }),
        // Ids and sizes only: the events themselves are read back in bounded pages to be sent,
        // so a day with many large proposals cannot overflow one database response.
        db.execute(sql`with written as (${outboxInsert({
          type: "Proposal.Expired",
          context: "proposals",
          table: proposals,
          tenantId: tenant.id,
          where: sql`t.status = 'expired' and t.expired_at = now()::timestamptz(3)`,
        })}) select event->>'id' as id, octet_length(event::text) as bytes from written`),
        db.delete(activities).where(and(eq(activities.tenantId, tenant.id), eq(activities.pinned, false), lt(activities.expiresAt, sql`now()`))).returning({ id: activities.id }),
        db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.tenantId, tenant.id), lt(idempotencyKeys.expiresAt, sql`now()`))).returning({ key: idempotencyKeys.key }),
      ]);
      result.proposalsExpired += expired.length;
      result.activitiesPurged += purged.length;
      result.idempotencyKeysPurged += keys.length;
      written = (events as unknown as { rows: { id: string; bytes: number }[] }).rows;
    } catch (err) {
      // One tenant's failure must not stop the others; tomorrow's run (or a manual one) catches up.
      logger.with({ tenantId: tenant.id }).error("daily maintenance failed for tenant", {}, err);
      continue;
    }
    result.events += written.length;
    if (written.length > 0) result.eventsSent += (await relayOutboxRows(env, config, logger.with({ tenantId: tenant.id }), written, waitUntil)).sent.length;
  }
  logger.info("daily maintenance", { ...result });
  return result;
}

import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Logger } from "../../core/logging/logger.ts";
import { activities, proposals } from "../../db/schema/crm.ts";
import { idempotencyKeys } from "../../db/schema/system.ts";
import { tenants } from "../../db/schema/tenants.ts";
import { SYSTEM_ROLE, UnitOfWork } from "../../db/unit-of-work.ts";
import type { Config } from "../env.ts";
import { outboxInsert } from "../events/outbox.ts";
import { dbSettings } from "../services.ts";
import type { CloudEvent } from "../../core/events/cloudevents.ts";

export interface MaintenanceResult {
  tenants: number;
  proposalsExpired: number;
  activitiesPurged: number;
  idempotencyKeysPurged: number;
  events: CloudEvent[];
}

/**
 * Daily, early morning in Mexico: per tenant (in its own time zone and its own RLS scope) mark
 * proposals past `valid_until` expired (with their Proposal.Expired events), and drop activities
 * past their 90-day retention and idempotency keys past 24 h. Every step is a guarded update or a
 * delete of expired rows, so a repeated run changes nothing.
 */
export async function runDailyMaintenance(config: Config, logger: Logger, waitUntil: (p: Promise<unknown>) => void, now = new Date()): Promise<MaintenanceResult> {
  const settings = dbSettings(config);
  const system = new UnitOfWork(settings, { tenantId: null, appRole: SYSTEM_ROLE }, waitUntil);
  const [list] = await system.batch((db) => [db.select({ id: tenants.id, timezone: tenants.timezone }).from(tenants).where(eq(tenants.status, "active"))]);
  const result: MaintenanceResult = { tenants: list.length, proposalsExpired: 0, activitiesPurged: 0, idempotencyKeysPurged: 0, events: [] };
  const nowIso = now.toISOString();

  for (const tenant of list) {
    const uow = new UnitOfWork(settings, { tenantId: tenant.id, appRole: config.DB_APP_ROLE }, waitUntil);
    // The tenant's calendar date decides validity: a proposal valid until the 28th is valid all of
    // the 28th in Mexico City.
    const today = sql`(${nowIso}::timestamptz at time zone ${tenant.timezone})::date`;
    try {
      const [expired, events, purged, keys] = await uow.batch((db) => [
        db
          .update(proposals)
          .set({ status: "expired", expiredAt: sql`now()`, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
          .where(and(eq(proposals.tenantId, tenant.id), inArray(proposals.status, ["sent", "viewed"]), lt(proposals.validUntil, today)))
          .returning({ id: proposals.id }),
        db.execute(
          outboxInsert({
            type: "Proposal.Expired",
            context: "proposals",
            table: proposals,
            tenantId: tenant.id,
            where: sql`t.status = 'expired' and t.expired_at = now()::timestamptz(3)`,
          }),
        ),
        db.delete(activities).where(and(eq(activities.tenantId, tenant.id), eq(activities.pinned, false), lt(activities.expiresAt, sql`now()`))).returning({ id: activities.id }),
        db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.tenantId, tenant.id), lt(idempotencyKeys.expiresAt, sql`now()`))).returning({ key: idempotencyKeys.key }),
      ]);
      result.proposalsExpired += expired.length;
      result.activitiesPurged += purged.length;
      result.idempotencyKeysPurged += keys.length;
      result.events.push(...(events as unknown as { rows: { event: CloudEvent }[] }).rows.map((r) => r.event));
    } catch (err) {
      // One tenant's failure must not stop the others; tomorrow's run (or a manual one) catches up.
      logger.with({ tenantId: tenant.id }).error("daily maintenance failed for tenant", {}, err);
    }
  }
  logger.info("daily maintenance", { ...result, events: result.events.length });
  return result;
}

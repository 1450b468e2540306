import type { Logger } from "../../core/logging/logger.ts";
import { purgeExpiredActivities } from "../../db/activities/activity-store.ts";
import {
  expireProposals,
  proposalsExpiredEvents,
  purgeExpiredIdempotencyKeys,
} from "../../db/maintenance/maintenance-store.ts";
import { listActiveTenants } from "../../db/tenants/tenant-store.ts";
import { csdExpiryWarning } from "../../db/fiscal/fiscal-profile-store.ts";
import { markOverdue } from "../../db/msi/msi-store.ts";
import { localDate } from "../../core/msi/schedule.ts";
import { jsonByteLength } from "../../core/events/queue-batches.ts";
import type { Config, Env } from "../../platform/env.ts";
import { relayOutboxRows } from "../../platform/outbox-relay.ts";
import { systemWork, tenantWork } from "../../platform/work.ts";

export interface MaintenanceResult {
  tenants: number;
  proposalsExpired: number;
  activitiesPurged: number;
  idempotencyKeysPurged: number;
  /** MSI installments that became overdue (MSI.InstallmentOverdue), and plans that defaulted. */
  installmentsOverdue: number;
  plansDefaulted: number;
  /** CFDI.CsdExpiring events (each certificate warned once per window: 30, 7, 1 days). */
  csdWarnings: number;
  /** Proposal.Expired and CFDI.CsdExpiring events written to the outbox. */
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
 * past their 90-day retention and idempotency keys past 24 h; warn (event + log line) when the
 * account's CSD is 30, 7 or 1 days from its end; MSI installments past their due date (the tenant's
 * calendar) become overdue, and plans with too many overdue installments defaulted. Every step is a guarded update or a
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
  const [list] = await systemWork(config, waitUntil).run([listActiveTenants(options.tenantIds)]);
  const result: MaintenanceResult = {
    tenants: list.length,
    proposalsExpired: 0,
    activitiesPurged: 0,
    idempotencyKeysPurged: 0,
    csdWarnings: 0,
    installmentsOverdue: 0,
    plansDefaulted: 0,
    events: 0,
    eventsSent: 0,
  };

  for (const tenant of list) {
    const uow = tenantWork(config, tenant.id, undefined, waitUntil);
    let written: { id: string; bytes: number }[];
    try {
      const today = localDate(now, tenant.timezone);
      const [expired, events, purged, keys, csdWarnings, , overdueEvents, , defaultedEvents] = await uow.run([
        expireProposals(tenant.id, { now, timezone: tenant.timezone }),
        // Ids and sizes only: the events themselves are read back in bounded pages to be sent,
        // so a day with many large proposals cannot overflow one database response.
        proposalsExpiredEvents(tenant.id),
        purgeExpiredActivities(tenant.id),
        purgeExpiredIdempotencyKeys(tenant.id),
        csdExpiryWarning(tenant.id, now),
        ...markOverdue(tenant.id, today),
      ]);
      result.installmentsOverdue += overdueEvents.length;
      result.plansDefaulted += defaultedEvents.length;
      for (const w of csdWarnings)
        logger.with({ tenantId: tenant.id }).warn("CSD expiring: upload the new one before it ends", {
          noCertificado: w.noCertificado,
          validTo: w.validTo,
          warningDays: w.threshold,
        });
      result.csdWarnings += csdWarnings.length;
      result.proposalsExpired += expired.length;
      result.activitiesPurged += purged.length;
      result.idempotencyKeysPurged += keys.length;
      written = [
        ...events,
        ...csdWarnings,
        ...[...overdueEvents, ...defaultedEvents].map((e) => ({ id: e.id, bytes: jsonByteLength(e) })),
      ];
    } catch (err) {
      // One tenant's failure must not stop the others; tomorrow's run (or a manual one) catches up.
      logger.with({ tenantId: tenant.id }).error("daily maintenance failed for tenant", {}, err);
      continue;
    }
    result.events += written.length;
    if (written.length > 0)
      result.eventsSent += (
        await relayOutboxRows(env, config, logger.with({ tenantId: tenant.id }), written, waitUntil)
      ).sent.length;
  }
  logger.info("daily maintenance", { ...result });
  return result;
}

import { sql } from "drizzle-orm";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import type { Logger } from "../../core/logging/logger.ts";
import { SYSTEM_ROLE, UnitOfWork } from "../../db/unit-of-work.ts";
import type { Config, Env } from "../env.ts";
import { dbSettings } from "../services.ts";

export const SWEEP_BATCH = 500;

/**
 * Every minute: events still undelivered a minute after their commit (the post-commit send failed
 * or the Worker stopped first) go to the queue again. Cross-tenant, so it runs as crm_system, which
 * may read and update the outbox and nothing else. SKIP LOCKED keeps overlapping runs apart.
 */
export async function sweepOutbox(env: Env, config: Config, logger: Logger, waitUntil: (p: Promise<unknown>) => void): Promise<number> {
  const uow = new UnitOfWork(dbSettings(config), { tenantId: null, appRole: SYSTEM_ROLE }, waitUntil);
  const [result] = await uow.batch((db) => [
    db.execute(sql`update outbox set attempts = attempts + 1, last_error = 'resent by sweep'
      where id in (select id from outbox where delivered_at is null and created_at < now() - interval '1 minute'
                   order by created_at limit ${SWEEP_BATCH} for update skip locked)
      returning event`),
  ]);
  const events = (result as unknown as { rows: { event: CloudEvent }[] }).rows.map((r) => r.event);
  if (events.length > 0 && env.EVENTS) {
    for (let i = 0; i < events.length; i += 100) {
      await env.EVENTS.sendBatch(events.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
    }
    logger.warn("outbox sweep re-sent undelivered events", { count: events.length });
  }
  return events.length;
}

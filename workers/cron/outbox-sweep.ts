import { sql, type SQL } from "drizzle-orm";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import type { Logger } from "../../core/logging/logger.ts";
import type { Config, Env } from "../../platform/env.ts";
import { READ_PAGE_BYTES, relayEvents } from "../../platform/outbox-relay.ts";
import { systemWork } from "../../platform/work.ts";

export const SWEEP_BATCH = 500;
/** Re-sends without delivery after which a row is dead: logged, counted (GET /ops/outbox), left alone. */
export const MAX_ATTEMPTS = 10;

/**
 * Wait after the n-th re-send before the next: 2^n minutes, at most an hour (2, 4, 8, 16, 32, 60,
 * 60, …), so the 10th re-send is about 5 h after the first and the row is dead an hour later.
 * Long enough that the queue's own consumer retries (max_retries in wrangler.jsonc) are mostly
 * done before the sweep sends the event again.
 */
function retryDelay(attempt: SQL): SQL {
  return sql`least(interval '60 minutes', interval '1 minute' * power(2, ${attempt}))`;
}

export interface SweepResult {
  resent: number;
  dead: number;
}

/**
 * Every minute: events not delivered by their `next_attempt_at` (the post-commit send failed, the
 * Worker stopped first, or the consumer never got through) go to the queue again. An attempt is
 * counted here, when the row is claimed (before the send, so a Worker that dies mid-send still
 * counts it), and pushes `next_attempt_at` out; a failed send adds `last_error`. Consumer failures
 * are retried by the queue itself and count only when the row comes back here. Rows are taken in
 * `next_attempt_at` order, so a failing row moves behind the others and never blocks them.
 *
 * Cross-tenant, so it runs as crm_system, which may read the outbox and update only its retry
 * columns. SKIP LOCKED keeps overlapping runs apart.
 */
export async function sweepOutbox(env: Env, config: Config, logger: Logger, waitUntil: (p: Promise<unknown>) => void): Promise<SweepResult> {
  if (!env.EVENTS) {
    // Without a queue there is nothing to attempt; counting attempts would only kill the rows.
    logger.warn("outbox sweep skipped: no EVENTS queue binding");
    return { resent: 0, dead: 0 };
  }
  const uow = systemWork(config, waitUntil);
  const due = sql`delivered_at is null and dead_at is null and next_attempt_at <= now()`;
  const [buried, claimed] = await uow.batch((db) => [
    db.execute(sql`update outbox set dead_at = now()
      where id in (select id from outbox where ${due} and attempts >= ${MAX_ATTEMPTS}
                   order by next_attempt_at limit ${SWEEP_BATCH} for update skip locked)
      returning id, tenant_id, type, attempts, last_error, created_at`),
    // At most READ_PAGE_BYTES of events per run (the first row always): a backlog of large
    // events drains over several runs instead of failing every one of them.
    db.execute(sql`with candidates as (
        select id, seq, next_attempt_at, octet_length(event::text) as bytes from outbox
        where ${due} and attempts < ${MAX_ATTEMPTS}
        order by next_attempt_at, seq limit ${SWEEP_BATCH} for update skip locked
      ), picked as (
        select id from (select id, sum(bytes) over (order by next_attempt_at, seq) - bytes as before from candidates) c
        where before < ${READ_PAGE_BYTES}
      )
      update outbox o set attempts = o.attempts + 1, next_attempt_at = now() + ${retryDelay(sql`o.attempts + 1`)}
      from picked where o.id = picked.id
      returning o.event`),
  ]);

  const dead = (buried as unknown as { rows: { id: string; tenant_id: string; type: string; attempts: number; last_error: string | null; created_at: string }[] }).rows;
  for (const row of dead) {
    // One line per event, for alerting; the payload is never logged.
    logger.with({ tenantId: row.tenant_id }).error("outbox event dead: not delivered after the maximum attempts, no longer retried", {
      eventId: row.id,
      type: row.type,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: new Date(row.created_at).toISOString(),
    });
  }

  const events = (claimed as unknown as { rows: { event: CloudEvent }[] }).rows.map((r) => r.event);
  if (events.length > 0) {
    const report = await relayEvents(env, config, logger, events, waitUntil);
    logger.warn("outbox sweep re-sent undelivered events", { count: events.length, accepted: report.sent.length });
  }
  return { resent: events.length, dead: dead.length };
}

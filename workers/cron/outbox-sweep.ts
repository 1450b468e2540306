import type { Logger } from "../../core/logging/logger.ts";
import type { Config, Env } from "../../platform/env.ts";
import { READ_PAGE_BYTES, relayEvents } from "../../platform/outbox-relay.ts";
import { systemWork } from "../../platform/work.ts";
import { buryExhausted, claimDue } from "../../db/outbox-store.ts";

export const SWEEP_BATCH = 500;
/** Re-sends without delivery after which a row is dead: logged, counted (GET /ops/outbox), left alone. */
export const MAX_ATTEMPTS = 10;

export interface SweepResult {
  resent: number;
  dead: number;
}

/**
 * Every minute: events not delivered by their `next_attempt_at` (the post-commit send failed, the
 * Worker stopped first, or the consumer never got through) go to the queue again. An attempt is
 * counted here, when the row is claimed (before the send, so a Worker that dies mid-send still
 * counts it), and pushes `next_attempt_at` out by a back-off (claimDue, db/outbox-store.ts); a
 * failed send adds `last_error`. Consumer failures are retried by the queue itself and count only
 * when the row comes back here. Rows are taken in `next_attempt_at` order, so a failing row moves
 * behind the others and never blocks them.
 *
 * Cross-tenant, so it runs as crm_system, which may read the outbox and update only its retry
 * columns. SKIP LOCKED keeps overlapping runs apart.
 */
export async function sweepOutbox(
  env: Env,
  config: Config,
  logger: Logger,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<SweepResult> {
  if (!env.EVENTS) {
    // Without a queue there is nothing to attempt; counting attempts would only kill the rows.
    logger.warn("outbox sweep skipped: no EVENTS queue binding");
    return { resent: 0, dead: 0 };
  }
  const uow = systemWork(config, waitUntil);
  const [dead, events] = await uow.run([
    buryExhausted({ maxAttempts: MAX_ATTEMPTS, limit: SWEEP_BATCH }),
    claimDue({ maxAttempts: MAX_ATTEMPTS, limit: SWEEP_BATCH, pageBytes: READ_PAGE_BYTES }),
  ]);
  for (const row of dead) {
    // One line per event, for alerting; the payload is never logged.
    logger
      .with({ tenantId: row.tenantId })
      .error("outbox event dead: not delivered after the maximum attempts, no longer retried", {
        eventId: row.id,
        type: row.type,
        attempts: row.attempts,
        lastError: row.lastError,
        createdAt: row.createdAt,
      });
  }

  if (events.length > 0) {
    const report = await relayEvents(env, config, logger, events, waitUntil);
    logger.warn("outbox sweep re-sent undelivered events", { count: events.length, accepted: report.sent.length });
  }
  return { resent: events.length, dead: dead.length };
}

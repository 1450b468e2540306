import { sql, type SQL } from "drizzle-orm";
import type { CloudEvent } from "../core/events/cloudevents.ts";
import { outboxInsert, type OutboxEventSpec } from "./outbox.ts";
import { exec, rows, type Statement } from "./statement.ts";

// The delivery side of the outbox (db/outbox.ts writes the events): the statements of the relay
// (platform/outbox-relay.ts), the sweep (workers/cron/outbox-sweep.ts), the events consumer
// (queues/events-consumer.ts), the daily job and GET /ops/outbox. The relay, the sweep and the
// counts run as crm_system, which may read the outbox and update only its delivery columns.

/** Ids as one `uuid[]` parameter, so a statement's text does not grow with the number of ids. */
function uuidArray(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

/** A timestamptz from a hand-written statement (driver text or a Date) as ISO 8601 UTC. */
function isoTime(value: unknown): string {
  return new Date(value instanceof Date ? value : String(value)).toISOString();
}

/** Attempts are the sweep's count of re-sends; delivery ends them. */
export function markDelivered(ids: readonly string[]): Statement<number> {
  return exec(sql`update outbox set delivered_at = coalesce(delivered_at, now()), last_error = null
                  where id = any(${uuidArray(ids)})`);
}

/** A failed send, on the rows not delivered meanwhile (never the payload). */
export function recordSendFailure(ids: readonly string[], error: string): Statement<number> {
  return exec(sql`update outbox set last_error = ${error} where id = any(${uuidArray(ids)}) and delivered_at is null`);
}

/** The events of these rows still to be delivered, in commit order. */
export function pendingEvents(ids: readonly string[]): Statement<CloudEvent[]> {
  return rows(
    sql`select event from outbox where id = any(${uuidArray(ids)}) and delivered_at is null and dead_at is null order by seq`,
    (row) => row.event as CloudEvent,
  );
}

/**
 * Writes the events of `spec` (db/outbox.ts) and returns only their ids and sizes: the events are
 * read back by id in bounded pages (`pendingEvents`) to be sent, so a job that writes many large
 * events cannot overflow one database response.
 */
export function outboxEventSizes(spec: OutboxEventSpec): Statement<{ id: string; bytes: number }[]> {
  return rows(
    sql`with written as (${outboxInsert(spec)}) select event->>'id' as id, octet_length(event::text) as bytes from written`,
    (row) => ({
      id: String(row.id),
      bytes: Number(row.bytes),
    }),
  );
}

const due = sql`delivered_at is null and dead_at is null and next_attempt_at <= now()`;

/**
 * Wait after the n-th re-send before the next: 2^n minutes, at most an hour (2, 4, 8, 16, 32, 60,
 * 60, …), so the 10th re-send is about 5 h after the first and, with the sweep's 10 attempts
 * (MAX_ATTEMPTS, workers/cron/outbox-sweep.ts), the row is dead an hour later. Long enough that the
 * queue's own consumer retries (max_retries in wrangler.jsonc) are mostly done before the sweep
 * sends the event again.
 */
function retryDelay(attempt: SQL): SQL {
  return sql`least(interval '60 minutes', interval '1 minute' * power(2, ${attempt}))`;
}

export interface DeadOutboxRow {
  id: string;
  tenantId: string;
  type: string;
  attempts: number;
  lastError: string | null;
  /** ISO 8601 UTC. */
  createdAt: string;
}

/** Due rows with `maxAttempts` re-sends behind them are dead from now on (at most `limit`; rows locked elsewhere are skipped). */
export function buryExhausted(options: { maxAttempts: number; limit: number }): Statement<DeadOutboxRow[]> {
  return rows(
    sql`update outbox set dead_at = now()
      where id in (select id from outbox where ${due} and attempts >= ${options.maxAttempts}
                   order by next_attempt_at limit ${options.limit} for update skip locked)
      returning id, tenant_id, type, attempts, last_error, created_at`,
    (row) => ({
      id: String(row.id),
      tenantId: String(row.tenant_id),
      type: String(row.type),
      attempts: Number(row.attempts),
      lastError: typeof row.last_error === "string" ? row.last_error : null,
      createdAt: isoTime(row.created_at),
    }),
  );
}

/**
 * Claims due rows with fewer than `maxAttempts` re-sends, in `next_attempt_at` order (a failing row
 * moves behind the others): each counts an attempt and waits its back-off before it is due again.
 * At most `limit` rows and `pageBytes` of events (the first row always), so a backlog of large
 * events drains over several runs instead of failing every one of them. Returns their events.
 */
export function claimDue(options: { maxAttempts: number; limit: number; pageBytes: number }): Statement<CloudEvent[]> {
  return rows(
    sql`with candidates as (
        select id, seq, next_attempt_at, octet_length(event::text) as bytes from outbox
        where ${due} and attempts < ${options.maxAttempts}
        order by next_attempt_at, seq limit ${options.limit} for update skip locked
      ), picked as (
        select id from (select id, sum(bytes) over (order by next_attempt_at, seq) - bytes as before from candidates) c
        where before < ${options.pageBytes}
      )
      update outbox o set attempts = o.attempts + 1, next_attempt_at = now() + ${retryDelay(sql`o.attempts + 1`)}
      from picked where o.id = picked.id
      returning o.event`,
    (row) => row.event as CloudEvent,
  );
}

export interface OutboxCounts {
  pending: number;
  delivered: number;
  dead: number;
  /** ISO 8601 UTC, or null with nothing pending. */
  oldestPendingAt: string | null;
}

/** Events per state, across tenants or for one (always one row). */
export function outboxCounts(tenantId?: string): Statement<OutboxCounts[]> {
  return rows(
    sql`select count(*) filter (where delivered_at is null and dead_at is null) as pending,
               count(*) filter (where delivered_at is not null) as delivered,
               count(*) filter (where delivered_at is null and dead_at is not null) as dead,
               min(created_at) filter (where delivered_at is null and dead_at is null) as oldest_pending_at
        from outbox ${tenantId ? sql`where tenant_id = ${tenantId}::uuid` : sql``}`,
    // count(*) is bigint, which the driver returns as text.
    (row) => ({
      pending: Number(row.pending ?? 0),
      delivered: Number(row.delivered ?? 0),
      dead: Number(row.dead ?? 0),
      oldestPendingAt: row.oldest_pending_at ? isoTime(row.oldest_pending_at) : null,
    }),
  );
}

import type { CloudEvent } from "../core/events/cloudevents.ts";
import { planQueueBatches } from "../core/events/queue-batches.ts";
import type { Logger } from "../core/logging/logger.ts";
import type { Config, Env } from "./env.ts";
import { systemWork } from "./work.ts";
import { pendingEvents, recordSendFailure } from "../db/outbox-store.ts";

// The one way events reach the queue — after a request's commit, from the daily job and from the
// outbox sweep: `sendBatch` calls within the queue's count and size limits, an event too large for
// a message in reference form (core/events/queue-batches.ts), and a failed call recorded on its
// rows (`last_error`) without stopping the calls after it. A failed row is due for the sweep at its
// `next_attempt_at`; the sweep counts the attempts (workers/cron/outbox-sweep.ts).

/**
 * Event bytes read from the database per round trip (outbox rows by id, the sweep's claim): far
 * under the 10 MB Neon allows in one HTTP response, and a bounded amount of memory in the Worker.
 */
export const READ_PAGE_BYTES = 4 * 1024 * 1024;

const MAX_ERROR_LENGTH = 500;

export interface SendReport {
  /** Ids of the events the queue accepted. */
  sent: string[];
  /** Sent in reference form (their data was over the per-message budget). */
  referenced: { id: string; type: string; bytes: number }[];
  /** Not accepted: one entry per failed `sendBatch` call (or per event too large even by reference). */
  failed: { ids: string[]; error: string }[];
}

function emptyReport(): SendReport {
  return { sent: [], referenced: [], failed: [] };
}

function merge(into: SendReport, from: SendReport): void {
  into.sent.push(...from.sent);
  into.referenced.push(...from.referenced);
  into.failed.push(...from.failed);
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** Hands events to the queue in size-aware batches, one call after another; never throws. */
export async function sendEvents(queue: Queue<unknown>, events: readonly CloudEvent[]): Promise<SendReport> {
  const report = emptyReport();
  const plan = planQueueBatches(events);
  for (const { event, bytes } of plan.unsendable) {
    report.failed.push({
      ids: [event.id],
      error: `event is ${bytes} bytes and its envelope alone is over the queue's message limit`,
    });
  }
  for (const batch of plan.batches) {
    try {
      await queue.sendBatch(batch.map((m) => ({ body: m.body, contentType: "json" as const })));
      for (const m of batch) {
        report.sent.push(m.body.id);
        if (m.referenced) report.referenced.push({ id: m.body.id, type: m.body.type, bytes: m.bytes });
      }
    } catch (err) {
      report.failed.push({ ids: batch.map((m) => m.body.id), error: errorText(err) });
    }
  }
  return report;
}

/** `last_error` on the rows of failed sends, as crm_system (one round trip, any tenants). */
export async function recordSendFailures(
  config: Config,
  failed: SendReport["failed"],
  waitUntil: (p: Promise<unknown>) => void,
): Promise<void> {
  const [first, ...rest] = failed.map(({ ids, error }) => recordSendFailure(ids, error));
  if (!first) return;
  await systemWork(config, waitUntil).run([first, ...rest]);
}

/**
 * Sends events (already in the outbox) and records what failed. Never throws: whatever did not
 * reach the queue stays undelivered in the outbox for the sweep.
 */
export async function relayEvents(
  env: Env,
  config: Config,
  logger: Logger,
  events: readonly CloudEvent[],
  waitUntil: (p: Promise<unknown>) => void,
): Promise<SendReport> {
  const queue = env.EVENTS;
  if (!queue || events.length === 0) return emptyReport();
  let report: SendReport;
  try {
    report = await sendEvents(queue, events);
  } catch (err) {
    // Not expected (sendEvents catches per call); a row that breaks planning fails with the rest.
    report = { ...emptyReport(), failed: [{ ids: events.map((e) => e.id), error: errorText(err) }] };
  }
  for (const r of report.referenced) {
    logger.info("event sent in reference form: its data is over the queue's message limit", {
      eventId: r.id,
      type: r.type,
      bytes: r.bytes,
    });
  }
  if (report.failed.length > 0) {
    const count = report.failed.reduce((n, f) => n + f.ids.length, 0);
    logger.warn("events not accepted by the queue; the outbox sweep will retry them", {
      count,
      calls: report.failed.length,
      error: report.failed[0]?.error,
    });
    try {
      await recordSendFailures(config, report.failed, waitUntil);
    } catch (err) {
      logger.error("could not record failed event sends", { count }, err);
    }
  }
  return report;
}

/**
 * Sends outbox rows a job has just written (ids and sizes from its `RETURNING`): read by id in
 * pages of at most READ_PAGE_BYTES, each page relayed before the next is read. Never throws.
 */
export async function relayOutboxRows(
  env: Env,
  config: Config,
  logger: Logger,
  rows: readonly { id: string; bytes: number }[],
  waitUntil: (p: Promise<unknown>) => void,
): Promise<SendReport> {
  const report = emptyReport();
  if (!env.EVENTS) return report;
  const uow = systemWork(config, waitUntil);
  for (const page of pagesOf(rows)) {
    let events: CloudEvent[];
    try {
      [events] = await uow.run([pendingEvents(page)]);
    } catch (err) {
      logger.warn("could not read outbox rows to send; the outbox sweep will send them", { count: page.length }, err);
      continue;
    }
    merge(report, await relayEvents(env, config, logger, events, waitUntil));
  }
  return report;
}

function pagesOf(rows: readonly { id: string; bytes: number }[]): string[][] {
  const pages: string[][] = [];
  let page: string[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (page.length > 0 && bytes + row.bytes > READ_PAGE_BYTES) {
      pages.push(page);
      page = [];
      bytes = 0;
    }
    page.push(row.id);
    bytes += row.bytes;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/**
 * After commit: hand events to the queue without delaying the response (size-aware, failures
 * recorded on their rows). The cron sweep re-sends anything this misses.
 */
export function publishAfterCommit(
  env: Env,
  config: Config,
  logger: Logger,
  waitUntil: (p: Promise<unknown>) => void,
  events: CloudEvent[],
): void {
  if (!env.EVENTS || events.length === 0) return;
  waitUntil(relayEvents(env, config, logger, events, waitUntil));
}

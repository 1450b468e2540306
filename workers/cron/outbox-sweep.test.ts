import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildEvent, type CloudEvent } from "../../core/events/cloudevents.ts";
import {
  QUEUE_BATCH_LIMIT_BYTES,
  QUEUE_BATCH_MAX_MESSAGES,
  QUEUE_MESSAGE_LIMIT_BYTES,
} from "../../core/events/queue-batches.ts";
import { Logger } from "../../core/logging/logger.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { flakyQueue, waitForDelivery, type RecordedCall } from "../../test/support/outbox.ts";
import { loadConfig } from "../../platform/env.ts";
import { createProposal, seedCustomer, THREE_ITEMS } from "../../test/support/proposal-fixtures.ts";
import { runDailyMaintenance } from "./daily-maintenance.ts";
import { MAX_ATTEMPTS, sweepOutbox } from "./outbox-sweep.ts";
import { handleScheduled } from "./scheduled.ts";

// Every sweep in the suites runs in this file (one test after another): the sweep is cross-tenant,
// and two at once could take each other's rows. Assertions are on this file's rows only.

const realQueue = (() => {
  const queue = testEnv.EVENTS;
  if (!queue) throw new Error("the EVENTS queue binding is missing (wrangler.jsonc)");
  return queue;
})();

function contactEvent(tenantId: string, extra: Partial<CloudEvent> = {}): CloudEvent {
  return {
    ...buildEvent({
      type: "Contact.Created",
      tenantId,
      context: "contacts",
      subject: crypto.randomUUID(),
      data: { note: "tarjeta 4111 1111 1111 1111" },
    }),
    ...extra,
  };
}

/** An outbox row as a commit would leave it, created and due (next_attempt_at) relative to now. */
async function outboxRow(
  event: CloudEvent,
  opts: { createdAgo?: string; dueIn?: string; attempts?: number } = {},
): Promise<void> {
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${event.tenantid}, true)`,
    ownerSql`insert into outbox (id, tenant_id, type, event, created_at, next_attempt_at, attempts)
      values (${event.id}, ${event.tenantid}, ${event.type}, ${JSON.stringify(event)}::jsonb, now() - ${opts.createdAgo ?? "0 seconds"}::interval,
              now() + ${opts.dueIn ?? "1 minute"}::interval, ${opts.attempts ?? 0})`,
  ]);
}

async function rowsById(ids: readonly string[]) {
  const rows =
    (await ownerSql`select id, attempts, last_error, dead_at is not null as dead, delivered_at is not null as delivered,
      extract(epoch from next_attempt_at - now())::float8 as due_in_seconds
    from outbox where id = any(${[...ids]}::uuid[])`) as {
      id: string;
      attempts: number;
      last_error: string | null;
      dead: boolean;
      delivered: boolean;
      due_in_seconds: number;
    }[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** The sweep as the cron runs it, with a chosen queue binding and the log lines kept. */
async function sweep(queue: Queue<unknown>, lines: string[] = []) {
  const logger = new Logger({
    service: "crm-cron-test",
    environment: "test",
    level: "info",
    sink: (line) => lines.push(line),
  });
  const pending: Promise<unknown>[] = [];
  const result = await sweepOutbox({ ...testEnv, EVENTS: queue }, loadConfig(testEnv), logger, (p) => pending.push(p));
  await Promise.allSettled(pending);
  return result;
}

const sentIds = (calls: RecordedCall[]) => calls.filter((c) => c.ok).flatMap((c) => c.messages.map((m) => m.id));

describe("outbox sweep (cron every minute)", () => {
  it(
    "re-sends events past their next attempt, across tenants, and leaves fresh and backed-off ones alone",
    { timeout: 60_000 },
    async () => {
      const a = await createTenant();
      const b = await createTenant();
      const stale = [contactEvent(a.id), contactEvent(b.id)] as const;
      const fresh = contactEvent(a.id);
      const backedOff = contactEvent(b.id);
      await outboxRow(stale[0], { createdAgo: "2 minutes", dueIn: "-1 minute" });
      await outboxRow(stale[1], { createdAgo: "5 minutes", dueIn: "-4 minutes" });
      await outboxRow(fresh);
      // Old, but its last attempt scheduled the next one for later.
      await outboxRow(backedOff, { createdAgo: "10 minutes", dueIn: "5 minutes", attempts: 3 });

      const recorder = flakyQueue(realQueue, 0);
      const ctx = createExecutionContext();
      await handleScheduled(
        createScheduledController({ cron: "* * * * *" }),
        { ...testEnv, EVENTS: recorder.queue },
        ctx,
      );
      await waitOnExecutionContext(ctx);

      const mine = [stale[0].id, stale[1].id, fresh.id, backedOff.id];
      expect(
        sentIds(recorder.calls)
          .filter((id) => mine.includes(id))
          .sort(),
      ).toEqual([stale[0].id, stale[1].id].sort());
      const rows = await rowsById(mine);
      for (const e of stale) {
        // First re-send: attempt 1, the next one 2 minutes out.
        expect(rows.get(e.id)).toMatchObject({ attempts: 1, dead: false });
        expect(rows.get(e.id)?.due_in_seconds).toBeGreaterThan(100);
        expect(rows.get(e.id)?.due_in_seconds).toBeLessThanOrEqual(120);
      }
      expect(rows.get(fresh.id)).toMatchObject({ attempts: 0 });
      expect(rows.get(backedOff.id)).toMatchObject({ attempts: 3 });
      await waitForDelivery({ ids: stale.map((e) => e.id) });
    },
  );

  it("a queue that keeps failing: each row counts its attempts, keeps the error and backs off further each time", async () => {
    const tenant = await createTenant();
    const events = [contactEvent(tenant.id), contactEvent(tenant.id)];
    for (const e of events) await outboxRow(e, { createdAgo: "3 minutes", dueIn: "-2 minutes" });
    const down = flakyQueue(realQueue, Number.POSITIVE_INFINITY);
    await sweep(down.queue);
    let rows = await rowsById(events.map((e) => e.id));
    for (const e of events) {
      expect(rows.get(e.id)).toMatchObject({
        attempts: 1,
        delivered: false,
        dead: false,
        last_error: "Error: injected fault: queue binding unavailable",
      });
      expect(rows.get(e.id)?.due_in_seconds).toBeGreaterThan(100);
    }
    // Not due yet: a sweep now leaves them alone.
    await sweep(down.queue);
    expect((await rowsById(events.map((e) => e.id))).get(events[0]?.id ?? "")).toMatchObject({ attempts: 1 });
    // Due again: attempt 2, four minutes out.
    await ownerSql`update outbox set next_attempt_at = now() where id = any(${events.map((e) => e.id)}::uuid[])`;
    await sweep(down.queue);
    rows = await rowsById(events.map((e) => e.id));
    for (const e of events) {
      expect(rows.get(e.id)).toMatchObject({ attempts: 2, delivered: false });
      expect(rows.get(e.id)?.due_in_seconds).toBeGreaterThan(220);
      expect(rows.get(e.id)?.due_in_seconds).toBeLessThanOrEqual(240);
    }
    expect(down.calls.filter((c) => c.ok)).toEqual([]);
  });

  it(
    "an event too large even by reference fails alone: the rows beside it are delivered",
    { timeout: 60_000 },
    async () => {
      const tenant = await createTenant();
      // An envelope (not data) over the message limit: nothing to cut.
      const poison = contactEvent(tenant.id, { correlationid: "c".repeat(QUEUE_MESSAGE_LIMIT_BYTES) });
      const healthy = [contactEvent(tenant.id), contactEvent(tenant.id)];
      for (const e of [poison, ...healthy]) await outboxRow(e, { createdAgo: "2 minutes", dueIn: "-1 minute" });
      const recorder = flakyQueue(realQueue, 0);
      await sweep(recorder.queue);
      expect(sentIds(recorder.calls)).not.toContain(poison.id);
      await waitForDelivery({ ids: healthy.map((e) => e.id) });
      const rows = await rowsById([poison.id]);
      expect(rows.get(poison.id)).toMatchObject({ attempts: 1, delivered: false, dead: false });
      expect(rows.get(poison.id)?.last_error).toContain("over the queue's message limit");
    },
  );

  it(
    `after ${MAX_ATTEMPTS} attempts a row is dead: one error log line without the payload, never sent again`,
    { timeout: 60_000 },
    async () => {
      const tenant = await createTenant();
      const exhausted = contactEvent(tenant.id);
      const lastChance = contactEvent(tenant.id);
      await outboxRow(exhausted, { createdAgo: "6 hours", dueIn: "-1 minute", attempts: MAX_ATTEMPTS });
      await outboxRow(lastChance, { createdAgo: "6 hours", dueIn: "-1 minute", attempts: MAX_ATTEMPTS - 1 });
      await ownerSql`update outbox set last_error = 'Error: injected' where id = ${exhausted.id}`;

      const recorder = flakyQueue(realQueue, 0);
      const lines: string[] = [];
      const result = await sweep(recorder.queue, lines);
      expect(result.dead).toBeGreaterThanOrEqual(1);
      const rows = await rowsById([exhausted.id, lastChance.id]);
      expect(rows.get(exhausted.id)).toMatchObject({ attempts: MAX_ATTEMPTS, dead: true, delivered: false });
      // The 10th attempt is still made.
      expect(rows.get(lastChance.id)).toMatchObject({ attempts: MAX_ATTEMPTS, dead: false });
      expect(sentIds(recorder.calls)).toContain(lastChance.id);
      expect(sentIds(recorder.calls)).not.toContain(exhausted.id);
      await waitForDelivery({ ids: [lastChance.id] });

      const logged = lines.filter((l) => l.includes(exhausted.id));
      expect(logged).toHaveLength(1);
      expect(JSON.parse(logged[0] ?? "{}")).toMatchObject({
        level: "error",
        tenantId: tenant.id,
        data: { eventId: exhausted.id, type: "Contact.Created", attempts: MAX_ATTEMPTS, lastError: "Error: injected" },
      });
      expect(logged[0]).not.toContain("4111");

      // Dead stays dead: not sent, not logged again.
      await ownerSql`update outbox set next_attempt_at = now() - interval '1 minute' where id = ${exhausted.id}`;
      const again: string[] = [];
      await sweep(recorder.queue, again);
      expect(sentIds(recorder.calls)).not.toContain(exhausted.id);
      expect(again.filter((l) => l.includes(exhausted.id))).toEqual([]);
    },
  );

  it(
    "250 expiring proposals (one with 20,000-character notes and terms) through a queue that fails once: every event delivered, none twice",
    { timeout: 180_000 },
    async () => {
      const tenant = await createTenant();
      const token = await tokenFor(tenant);
      const customerId = await seedCustomer(tenant.id);
      // 20,000 characters each, ~150 KB of JSON together: € is 3 bytes, and a vertical tab (a word
      // processor's line break, pasted) is 6 once JSON-escaped.
      const big = await createProposal(token, {
        customerId,
        validUntil: "2026-06-30",
        notes: "€".repeat(20_000),
        terms: "€\u000b".repeat(10_000),
        items: [THREE_ITEMS[1]],
      });
      expect((await api(`/v1/proposals/${big.id}/send`, { method: "POST", token })).status).toBe(200);
      // Its Proposal.Created and Proposal.Sent went to the queue after commit, in reference form;
      // the consumer delivered them and logged the send with the status re-read from the outbox.
      await waitForDelivery({ tenantId: tenant.id });
      expect(
        await ownerSql`select subject, metadata->>'status' as status from activities where proposal_id = ${big.id}`,
      ).toEqual([{ subject: "Propuesta enviada", status: "sent" }]);

      // 249 more in one statement; 20 with 20,000-character notes and terms (~40 KB events), so the
      // batches are cut by bytes long before 100 messages.
      await ownerSql.transaction([
        ownerSql`select set_config('app.tenant_id', ${tenant.id}, true)`,
        ownerSql`insert into proposals (tenant_id, proposal_number, number_year, number_seq, title, customer_id, status, sent_at, valid_until, notes, terms)
        select ${tenant.id}, 'COT-2025-' || lpad(g::text, 5, '0'), 2025, g, 'Propuesta ' || g, ${customerId}, 'sent', now(), '2026-06-30',
               case when g <= 20 then left(repeat('Entrega e instalación en sitio. ', 700), 20000) end,
               case when g <= 20 then left(repeat('Pago a 30 días naturales. ', 800), 20000) end
        from generate_series(1, 249) g`,
      ]);

      const flaky = flakyQueue(realQueue, 1);
      const env = { ...testEnv, EVENTS: flaky.queue };
      const logger = new Logger({
        service: "crm-cron-test",
        environment: "test",
        level: "error",
        sink: () => undefined,
      });
      const pending: Promise<unknown>[] = [];
      const result = await runDailyMaintenance(
        env,
        loadConfig(testEnv),
        logger,
        (p) => pending.push(p),
        new Date("2026-07-01T14:00:00Z"),
        { tenantIds: [tenant.id] },
      );
      await Promise.allSettled(pending);
      expect(result).toMatchObject({ tenants: 1, proposalsExpired: 250, events: 250 });

      const expired =
        (await ownerSql`select id, event->>'subject' as subject from outbox where tenant_id = ${tenant.id} and type = 'Proposal.Expired'`) as {
          id: string;
          subject: string;
        }[];
      expect(expired).toHaveLength(250);
      const ids = expired.map((r) => r.id);

      // Batches within Cloudflare's limits (the real binding enforces them too); the first one failed,
      // the ones after it went anyway.
      const [failedCall, ...rest] = flaky.calls;
      expect(failedCall?.ok).toBe(false);
      expect(rest.length).toBeGreaterThan(3);
      expect(rest.every((c) => c.ok)).toBe(true);
      for (const call of flaky.calls) {
        expect(call.messages.length).toBeLessThanOrEqual(QUEUE_BATCH_MAX_MESSAGES);
        expect(call.messages.reduce((n, m) => n + m.bytes + 100, 0)).toBeLessThanOrEqual(QUEUE_BATCH_LIMIT_BYTES);
        for (const m of call.messages) expect(m.bytes + 100).toBeLessThanOrEqual(QUEUE_MESSAGE_LIMIT_BYTES);
      }
      const failedIds = failedCall?.messages.map((m) => m.id) ?? [];
      expect(failedIds.length).toBeGreaterThan(0);
      expect(result.eventsSent).toBe(250 - failedIds.length);

      // The big proposal's expiry went in reference form.
      const bigEvent = expired.find((r) => r.subject === big.id)?.id;
      const bigMessage = flaky.calls.flatMap((c) => c.messages).find((m) => m.id === bigEvent);
      const [bigRow] = await ownerSql`select version from proposals where id = ${big.id}`;
      expect(bigMessage?.body).toMatchObject({
        dataref: `/v1/proposals/${big.id}`,
        data: { id: big.id, version: bigRow?.version },
      });
      expect(bigMessage?.body.data).toEqual({ id: big.id, version: bigRow?.version });
      expect(bigMessage?.bytes).toBeLessThan(1_000);

      // The failure is on the failed call's rows only; the others are delivered without the sweep.
      let rows = await rowsById(ids);
      for (const id of ids) {
        expect(rows.get(id)?.attempts).toBe(0);
        expect(rows.get(id)?.last_error ?? null).toBe(
          failedIds.includes(id) ? "Error: injected fault: queue binding unavailable" : null,
        );
      }
      await waitForDelivery({ ids: ids.filter((id) => !failedIds.includes(id)) });
      rows = await rowsById(failedIds);
      expect([...rows.values()].filter((r) => r.delivered)).toEqual([]);

      // Their next attempt comes (a minute after commit; brought forward here): the cron sweep sends them.
      await ownerSql`update outbox set next_attempt_at = now() where id = any(${failedIds}::uuid[])`;
      const ctx = createExecutionContext();
      await handleScheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
      await waitOnExecutionContext(ctx);
      await waitForDelivery({ ids });

      // Every event handed over by exactly one accepted call.
      const mine = new Set(ids);
      const accepted = sentIds(flaky.calls).filter((id) => mine.has(id));
      expect(accepted).toHaveLength(250);
      expect(new Set(accepted).size).toBe(250);
      rows = await rowsById(ids);
      for (const id of ids)
        expect(rows.get(id)).toMatchObject({
          delivered: true,
          dead: false,
          last_error: null,
          attempts: failedIds.includes(id) ? 1 : 0,
        });

      // The consumer: one expiry on each proposal's timeline, the big one's status re-read.
      const timeline =
        (await ownerSql`select id, metadata->>'status' as status from activities where tenant_id = ${tenant.id} and subject = 'Propuesta vencida'`) as {
          id: string;
          status: string;
        }[];
      expect(timeline.map((a) => a.id).sort()).toEqual([...ids].sort());
      expect(timeline.every((a) => a.status === "expired")).toBe(true);
    },
  );
});

import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { wsconnect, type NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEvent, natsSubject, type CloudEvent } from "../core/events/cloudevents.ts";
import { STREAMS } from "../core/events/streams.ts";
import { closeNats } from "../platform/nats-relay.ts";
import { testEnv } from "../test/support/env.ts";
import { createTenant, ownerSql } from "../test/support/harness.ts";
import { consumeEvents } from "./events-consumer.ts";

// The events consumer's JetStream relay (issue 15) against the real nats-server that `npm test`
// starts (its websocket listener): Nats-Msg-Id de-duplication, order, and an outage that retries
// without marking anything delivered.

const wsUrl = testEnv.TEST_NATS_WS_URL;

async function outboxRow(event: CloudEvent): Promise<void> {
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${event.tenantid}, true)`,
    ownerSql`insert into outbox (id, tenant_id, type, event) values (${event.id}, ${event.tenantid}, ${event.type}, ${JSON.stringify(event)}::jsonb)`,
  ]);
}

async function deliver(events: CloudEvent[], natsUrl: string) {
  const batch = createMessageBatch(
    "crm-events",
    events.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeEvents(batch, { ...testEnv, NATS_URL: natsUrl }, ctx);
  return getQueueResult(batch, ctx);
}

function leadEvents(tenantId: string, count: number): CloudEvent[] {
  const lead = crypto.randomUUID();
  return Array.from({ length: count }, (_, i) =>
    buildEvent({
      type: "Lead.Updated",
      tenantId,
      context: "leads",
      subject: lead,
      data: { id: lead, step: i },
    }),
  );
}

describe.skipIf(!wsUrl)("events → NATS JetStream", () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await wsconnect({ servers: wsUrl! });
    jsm = await jetstreamManager(nc);
    for (const s of STREAMS) {
      const exists = await jsm.streams.info(s.name).catch(() => null);
      if (!exists)
        await jsm.streams.add({
          name: s.name,
          subjects: s.subjects,
          max_age: Number(s.maxAgeNs),
          duplicate_window: Number(s.duplicateWindowNs),
        });
    }
  });
  afterAll(async () => {
    await closeNats();
    await nc?.close();
  });

  async function stored(subject: string): Promise<number> {
    const info = await jsm.streams.info("LEAD_EVENTS", { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  }

  it("an event delivered ten times is stored once; rows are marked delivered after the acks", async () => {
    const tenant = await createTenant();
    const [event] = leadEvents(tenant.id, 1);
    await outboxRow(event!);
    for (let i = 0; i < 10; i++) {
      const result = await deliver([event!], wsUrl!);
      expect(result.explicitAcks).toEqual(["m0"]);
    }
    expect(await stored(natsSubject("Lead.Updated", tenant.id))).toBe(1);
    const [row] = await ownerSql`select delivered_at is not null as delivered from outbox where id = ${event!.id}`;
    expect(row).toEqual({ delivered: true });
  });

  it("keeps one aggregate's events in order", async () => {
    const tenant = await createTenant();
    const events = leadEvents(tenant.id, 50);
    for (const e of events) await outboxRow(e);
    await deliver(events, wsUrl!);
    const subject = natsSubject("Lead.Updated", tenant.id);
    expect(await stored(subject)).toBe(50);
    const info = await jsm.streams.info("LEAD_EVENTS");
    const steps: number[] = [];
    for (let seq = info.state.last_seq; steps.length < 50 && seq > 0; seq--) {
      const m = await jsm.streams.getMessage("LEAD_EVENTS", { seq }).catch(() => null);
      if (m?.subject === subject) steps.unshift((m.json() as { data: { step: number } }).data.step);
    }
    expect(steps).toEqual(events.map((_, i) => i));
  });

  it("NATS unreachable: the batch is retried and nothing is marked delivered", async () => {
    const tenant = await createTenant();
    const events = leadEvents(tenant.id, 3);
    for (const e of events) await outboxRow(e);
    const result = await deliver(events, "ws://127.0.0.1:9");
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual(["m0", "m1", "m2"]);
    const rows =
      await ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenant.id} and delivered_at is null`;
    expect(rows).toEqual([{ n: 3 }]);
    // NATS back: the same messages go through, once.
    await deliver(events, wsUrl!);
    expect(await stored(natsSubject("Lead.Updated", tenant.id))).toBe(3);
  });
});

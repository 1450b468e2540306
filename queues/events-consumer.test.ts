import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildEvent, type CloudEvent } from "../core/events/cloudevents.ts";
import { jsonByteLength, referenceForm } from "../core/events/queue-batches.ts";
import { testEnv } from "../test/support/env.ts";
import { createTenant, ownerSql } from "../test/support/harness.ts";
import { consumeEvents } from "./events-consumer.ts";

async function seedLead(tenantId: string): Promise<string> {
  const id = crypto.randomUUID();
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`insert into leads (id, tenant_id, title, status) values (${id}, ${tenantId}, 'Lead de prueba', 'qualified')`,
  ]);
  return id;
}

async function outboxRow(event: CloudEvent): Promise<void> {
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${event.tenantid}, true)`,
    ownerSql`insert into outbox (id, tenant_id, type, event) values (${event.id}, ${event.tenantid}, ${event.type}, ${JSON.stringify(event)}::jsonb)`,
  ]);
}

async function deliver(events: unknown[]) {
  const batch = createMessageBatch(
    "crm-events",
    events.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeEvents(batch, testEnv, ctx);
  return getQueueResult(batch, ctx);
}

describe("events consumer", () => {
  it("marks outbox rows delivered and logs status changes as activities, idempotently", async () => {
    const tenant = await createTenant();
    const leadId = await seedLead(tenant.id);
    const qualified = buildEvent({
      type: "Lead.Qualified",
      tenantId: tenant.id,
      context: "leads",
      subject: leadId,
      data: { id: leadId, status: "qualified" },
    });
    const created = buildEvent({
      type: "Lead.Created",
      tenantId: tenant.id,
      context: "leads",
      subject: leadId,
      data: { id: leadId },
    });
    await outboxRow(qualified);
    await outboxRow(created);

    const result = await deliver([qualified, created]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(result.retryMessages).toEqual([]);
    // Delivery does not count an attempt: attempts are the sweep's re-sends.
    const rows =
      await ownerSql`select id, delivered_at is not null as delivered, attempts from outbox where tenant_id = ${tenant.id} order by id`;
    expect(rows.every((r) => r.delivered === true && r.attempts === 0)).toBe(true);
    const acts = await ownerSql`select id, type, lead_id, subject from activities where tenant_id = ${tenant.id}`;
    expect(acts).toEqual([
      { id: qualified.id, type: "status_change", lead_id: leadId, subject: "Prospecto calificado" },
    ]);

    // Redelivery (at-least-once) adds nothing.
    await deliver([qualified]);
    expect(await ownerSql`select count(*)::int as n from activities where tenant_id = ${tenant.id}`).toEqual([
      { n: 1 },
    ]);
  });

  it("an event in reference form (data cut to id and version) has its fields re-read from its outbox row", async () => {
    const tenant = await createTenant();
    const leadId = await seedLead(tenant.id);
    // The lost reason is what made the event too large for a queue message.
    const reason = `Eligió otra opción. ${"Detalle ".repeat(20_000)}`;
    const lost = buildEvent({
      type: "Lead.Lost",
      tenantId: tenant.id,
      context: "leads",
      subject: leadId,
      data: { id: leadId, version: 4, status: "lost", lostReason: reason },
    });
    await outboxRow(lost);
    const reference = referenceForm(lost);
    expect(reference && jsonByteLength(reference)).toBeLessThan(1_000);
    const result = await deliver([reference]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const acts = await ownerSql`select id, subject, body, metadata from activities where tenant_id = ${tenant.id}`;
    expect(acts).toEqual([
      { id: lost.id, subject: "Prospecto perdido", body: reason, metadata: { eventType: "Lead.Lost", status: "lost" } },
    ]);
    expect(await ownerSql`select delivered_at is not null as delivered from outbox where id = ${lost.id}`).toEqual([
      { delivered: true },
    ]);
  });

  it("acknowledges malformed messages without retrying them", async () => {
    const result = await deliver([{ hello: "world" }, "not json at all"]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(result.retryMessages).toEqual([]);
  });

  it("acknowledges events whose tenant or record is gone, with no effect", async () => {
    const ghost = buildEvent({
      type: "Lead.Qualified",
      tenantId: crypto.randomUUID(),
      context: "leads",
      subject: crypto.randomUUID(),
      data: {},
    });
    const result = await deliver([ghost]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await ownerSql`select count(*)::int as n from activities where id = ${ghost.id}`).toEqual([{ n: 0 }]);
  });

  it("retries with back-off when the database is unreachable", async () => {
    const tenant = await createTenant();
    const event = buildEvent({
      type: "Lead.Created",
      tenantId: tenant.id,
      context: "leads",
      subject: crypto.randomUUID(),
      data: {},
    });
    const batch = createMessageBatch("crm-events", [{ id: "m0", timestamp: new Date(), attempts: 2, body: event }]);
    const ctx = createExecutionContext();
    // Same code, but the database behind the proxy is a closed port.
    const deadDb = new URL(testEnv.DATABASE_URL ?? "");
    deadDb.port = "9";
    await consumeEvents(batch, { ...testEnv, DATABASE_URL: deadDb.toString() }, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
  });
});

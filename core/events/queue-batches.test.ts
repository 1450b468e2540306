import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildEvent, parseEvent, type CloudEvent } from "./cloudevents.ts";
import {
  BATCH_BUDGET_BYTES,
  MESSAGE_BUDGET_BYTES,
  MESSAGE_OVERHEAD_BYTES,
  QUEUE_BATCH_LIMIT_BYTES,
  QUEUE_BATCH_MAX_MESSAGES,
  QUEUE_MESSAGE_LIMIT_BYTES,
  isReferenceForm,
  jsonByteLength,
  planQueueBatches,
  referenceForm,
} from "./queue-batches.ts";

const TENANT = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

function proposalEvent(notes: string, terms = "", id: string = crypto.randomUUID()): CloudEvent {
  return buildEvent({
    type: "Proposal.Expired",
    tenantId: TENANT,
    context: "proposals",
    subject: id,
    data: { id, status: "expired", version: 3, notes, terms },
  });
}

describe("queue budgets", () => {
  it("stay under Cloudflare's limits with the ~100 bytes of per-message metadata counted", () => {
    expect(MESSAGE_BUDGET_BYTES + 100).toBeLessThan(QUEUE_MESSAGE_LIMIT_BYTES);
    expect(BATCH_BUDGET_BYTES).toBeLessThan(QUEUE_BATCH_LIMIT_BYTES);
    expect(MESSAGE_OVERHEAD_BYTES).toBeGreaterThanOrEqual(100);
    // One message at the budget always fits an empty batch.
    expect(MESSAGE_BUDGET_BYTES + MESSAGE_OVERHEAD_BYTES).toBeLessThanOrEqual(BATCH_BUDGET_BYTES);
  });

  it("measures UTF-8 bytes of the JSON, escapes included", () => {
    expect(jsonByteLength({ a: "€" })).toBe('{"a":"€"}'.length + 2);
    expect(jsonByteLength("\u000b")).toBe('"\\u000b"'.length);
  });
});

describe("referenceForm", () => {
  it("keeps the envelope, cuts data to id and version, and points dataref at the aggregate", () => {
    const event = proposalEvent("x".repeat(200_000));
    const ref = referenceForm(event);
    expect(ref).toEqual({
      ...event,
      data: { id: event.subject, version: 3 },
      dataref: `/v1/proposals/${event.subject}`,
    });
    expect(ref && isReferenceForm(ref)).toBe(true);
    expect(isReferenceForm(event)).toBe(false);
    expect(parseEvent(ref)).toMatchObject({ ok: true, event: { dataref: `/v1/proposals/${event.subject}` } });
  });

  it("falls back to the subject for the id, and has nothing to point at without one", () => {
    const id = crypto.randomUUID();
    const noDataId = buildEvent({
      type: "Lead.Created",
      tenantId: TENANT,
      context: "leads",
      subject: id,
      data: { title: "x" },
    });
    expect(referenceForm(noDataId)?.data).toEqual({ id });
    const nothing = buildEvent({ type: "Lead.Created", tenantId: TENANT, context: "leads", data: "x" });
    expect(referenceForm(nothing)).toBeUndefined();
    // An outbox row is sent as stored, unparsed: a malformed one is unsendable, not a crash.
    const malformed = { id: crypto.randomUUID(), data: { id, text: "x".repeat(200_000) } } as unknown as CloudEvent;
    expect(referenceForm(malformed)).toBeUndefined();
    expect(planQueueBatches([malformed]).unsendable.map((u) => u.event.id)).toEqual([malformed.id]);
  });
});

describe("planQueueBatches", () => {
  it("sends 20,000-character notes and terms whole while they fit, by reference when they do not", () => {
    const ascii = proposalEvent("n".repeat(20_000), "t".repeat(20_000));
    // € is 3 bytes; a vertical tab (pasted from a word processor) is 6 once JSON-escaped.
    const heavy = proposalEvent("€".repeat(20_000), "€\u000b".repeat(10_000));
    expect(jsonByteLength(heavy)).toBeGreaterThan(QUEUE_MESSAGE_LIMIT_BYTES);
    const plan = planQueueBatches([ascii, heavy]);
    expect(plan.unsendable).toEqual([]);
    const sent = plan.batches.flat();
    expect(sent.map((m) => [m.body.id, m.referenced])).toEqual([
      [ascii.id, false],
      [heavy.id, true],
    ]);
    expect(sent[0]?.body).toBe(ascii);
    expect(sent[1]?.body.data).toEqual({ id: heavy.subject, version: 3 });
  });

  it("splits 250 events by count (≤ 100) and by bytes (≤ the batch budget)", () => {
    const small = Array.from({ length: 250 }, () => proposalEvent("breve"));
    expect(planQueueBatches(small).batches.map((b) => b.length)).toEqual([100, 100, 50]);
    const large = Array.from({ length: 10 }, () => proposalEvent("n".repeat(20_000), "t".repeat(20_000)));
    const plan = planQueueBatches(large);
    expect(plan.batches.length).toBeGreaterThan(1);
    for (const batch of plan.batches)
      expect(batch.reduce((n, m) => n + m.bytes + MESSAGE_OVERHEAD_BYTES, 0)).toBeLessThanOrEqual(BATCH_BUDGET_BYTES);
  });

  it("reports an event whose envelope alone is over the budget instead of sending it", () => {
    const event = { ...proposalEvent("x".repeat(130_000)), correlationid: "c".repeat(130_000) };
    const other = proposalEvent("ok");
    const plan = planQueueBatches([event, other]);
    expect(plan.unsendable.map((u) => u.event.id)).toEqual([event.id]);
    expect(plan.batches.flat().map((m) => m.body.id)).toEqual([other.id]);
  });

  it("property: every event in exactly one batch, in order, each batch and message within the limits", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 2_000 }),
      fc.string({ unit: "grapheme", maxLength: 30_000 }),
      fc.constantFrom("", "€".repeat(45_000), "\u0001".repeat(25_000)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 40 }), (pairs) => {
        const events = pairs.map(([notes, terms]) => proposalEvent(notes, terms));
        const plan = planQueueBatches(events);
        expect(plan.unsendable).toEqual([]);
        expect(plan.batches.flat().map((m) => m.body.id)).toEqual(events.map((e) => e.id));
        for (const batch of plan.batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(QUEUE_BATCH_MAX_MESSAGES);
          expect(batch.reduce((n, m) => n + m.bytes + MESSAGE_OVERHEAD_BYTES, 0)).toBeLessThanOrEqual(
            BATCH_BUDGET_BYTES,
          );
          for (const m of batch) {
            expect(m.bytes).toBe(jsonByteLength(m.body));
            expect(m.bytes).toBeLessThanOrEqual(MESSAGE_BUDGET_BYTES);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, buildEvent, isEventType, natsSubject, parseEvent } from "./cloudevents.ts";
import type { CloudEvent, EventType } from "./cloudevents.ts";

const TENANT = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const USER = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f";
const LEAD = "11111111-2222-4333-8444-555555555555";

function sample(overrides: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    ...buildEvent({
      type: "Lead.Created",
      tenantId: TENANT,
      context: "leads",
      subject: LEAD,
      data: { id: LEAD, status: "new" },
      userId: USER,
      time: new Date("2026-03-14T10:30:00.123Z"),
    }),
    ...overrides,
  };
}

function parseError(value: unknown): string {
  const r = parseEvent(value);
  if (r.ok) throw new Error("accepted");
  return r.error;
}

describe("EVENT_TYPES", () => {
  it("has the seed's types and the ones this project adds, without duplicates", () => {
    for (const t of [
      "Lead.Created",
      "Lead.ScoreChanged",
      "Proposal.Accepted",
      "CFDI.Stamped",
      "WhatsApp.MessageReceived",
      "MSI.InstallmentPaid",
      "AI.LeadScored",
      "Lead.Lost",
      "Proposal.Expired",
      "Contact.Created",
      "Activity.Created",
    ]) {
      expect(isEventType(t), t).toBe(true);
    }
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    for (const t of EVENT_TYPES) expect(t).toMatch(/^[A-Z][A-Za-z]*\.[A-Z][A-Za-z]*$/);
    expect(isEventType("lead.created")).toBe(false);
    expect(isEventType("toString")).toBe(false);
  });
});

describe("buildEvent", () => {
  it("builds a CloudEvents 1.0 envelope with lower-case extensions", () => {
    const e = buildEvent({
      type: "Proposal.Accepted",
      tenantId: TENANT,
      context: "proposals",
      subject: LEAD,
      data: { total: "1160.00" },
      userId: USER,
      correlationId: "req_01HZX",
      causationId: "7d3f1c2a-0000-4000-8000-000000000001",
      id: "7d3f1c2a-0000-4000-8000-000000000002",
      time: new Date("2026-03-14T10:30:00Z"),
    });
    expect(e).toEqual({
      specversion: "1.0",
      id: "7d3f1c2a-0000-4000-8000-000000000002",
      type: "Proposal.Accepted",
      source: `/tenants/${TENANT}/proposals`,
      subject: LEAD,
      time: "2026-03-14T10:30:00.000Z",
      datacontenttype: "application/json",
      tenantid: TENANT,
      userid: USER,
      correlationid: "req_01HZX",
      causationid: "7d3f1c2a-0000-4000-8000-000000000001",
      data: { total: "1160.00" },
    });
    for (const k of Object.keys(e)) expect(k).toMatch(/^[a-z0-9]+$/);
  });

  it("omits absent optional attributes and generates id and time", () => {
    const before = Date.now();
    const e = buildEvent({
      type: "Lead.Updated",
      tenantId: TENANT,
      context: "leads",
      data: null,
      subject: undefined,
      userId: undefined,
    });
    expect(Object.keys(e).sort()).toEqual([
      "data",
      "datacontenttype",
      "id",
      "source",
      "specversion",
      "tenantid",
      "time",
      "type",
    ]);
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(e.time)).toBeGreaterThanOrEqual(before - 1);
    expect(buildEvent({ type: "Lead.Updated", tenantId: TENANT, context: "leads", data: null }).id).not.toBe(e.id);
  });

  it("refuses input no valid event could carry", () => {
    const ok = { type: "Lead.Created" as EventType, tenantId: TENANT, context: "leads", data: {} };
    expect(() => buildEvent({ ...ok, type: "Lead.Deleted" as EventType })).toThrow(TypeError);
    expect(() => buildEvent({ ...ok, tenantId: "tenant-1" })).toThrow(/UUID/);
    expect(() => buildEvent({ ...ok, context: "Leads" })).toThrow(/context/);
    expect(() => buildEvent({ ...ok, context: "leads/../x" })).toThrow(/context/);
    expect(() => buildEvent({ ...ok, data: undefined })).toThrow(/data/);
    expect(() => buildEvent({ ...ok, id: "1" })).toThrow(/id/);
    expect(() => buildEvent({ ...ok, userId: "" })).toThrow(/userid/);
    expect(() => buildEvent({ ...ok, time: new Date("nope") })).toThrow(RangeError);
  });
});

describe("natsSubject", () => {
  it.each([
    ["Lead.Created", "lead.created"],
    ["Lead.ScoreChanged", "lead.score_changed"],
    ["Proposal.Accepted", "proposal.accepted"],
    ["WhatsApp.MessageReceived", "whatsapp.message_received"],
    ["AI.LeadScored", "ai.lead_scored"],
    ["AI.BusinessCardOCR", "ai.business_card_ocr"],
    ["CFDI.Stamped", "cfdi.stamped"],
    ["CFDI.ValidationFailed", "cfdi.validation_failed"],
    ["MSI.InstallmentPaid", "msi.installment_paid"],
  ] as const)("%s → %s.{tenantId}", (type, subject) => {
    expect(natsSubject(type, TENANT)).toBe(`${subject}.${TENANT}`);
  });

  it("gives every type a distinct, well-formed subject", () => {
    const subjects = EVENT_TYPES.map((t) => natsSubject(t, TENANT));
    expect(new Set(subjects).size).toBe(subjects.length);
    for (const s of subjects) expect(s).toMatch(/^[a-z]+\.[a-z]+(_[a-z]+)*\.[0-9a-f-]+$/);
  });

  it("rejects tenant ids that would break the subject", () => {
    for (const bad of ["a.b", "*", ">", "a b", ""]) expect(() => natsSubject("Lead.Created", bad)).toThrow(TypeError);
    expect(() => natsSubject("Lead.Nope" as EventType, TENANT)).toThrow(TypeError);
  });
});

describe("parseEvent", () => {
  it("accepts what buildEvent makes, also as JSON text and after a jsonb-like key reordering", () => {
    const e = sample();
    expect(parseEvent(e)).toEqual({ ok: true, event: e });
    expect(parseEvent(JSON.stringify(e))).toEqual({ ok: true, event: e });
    const reordered = Object.fromEntries(
      Object.entries(e).sort(([a], [b]) => a.length - b.length || a.localeCompare(b)),
    );
    expect(parseEvent(reordered)).toEqual({ ok: true, event: e });
  });

  it("accepts null data, timezone offsets and well-named extra extensions", () => {
    expect(parseEvent(sample({ data: null })).ok).toBe(true);
    expect(parseEvent(sample({ time: "2026-03-14T04:30:00-06:00" })).ok).toBe(true);
    expect(parseEvent(sample({ time: "2026-03-14T10:30:00Z" })).ok).toBe(true);
    const r = parseEvent(sample({ traceparent: "00-abc-01", attempt: 2, replay: false }));
    expect(r.ok && (r.event as unknown as Record<string, unknown>).attempt).toBe(2);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["camelCase tenantId (the seed's bug)", { tenantId: TENANT }, /"tenantId".*use "tenantid"/],
    ["camelCase correlationId", { correlationId: "x" }, /use "correlationid"/],
    ["snake_case extension", { trace_id: "x" }, /lower-case letters and digits/],
    ["data_base64", { data_base64: "AA==" }, /data_base64/],
    ["object-valued extension", { extra: { a: 1 } }, /string, an integer or a boolean/],
    ["float extension", { extra: 1.5 }, /string, an integer or a boolean/],
    ["null extension", { extra: null }, /string, an integer or a boolean/],
    ["specversion 0.3", { specversion: "0.3" }, /specversion/],
    ["numeric specversion", { specversion: 1.0 }, /specversion/],
    ["non-UUID id", { id: "evt-1" }, /id must be a UUID/],
    ["empty id", { id: "" }, /id/],
    ["unknown type", { type: "Lead.Deleted" }, /unknown event type/],
    ["lower-case type", { type: "lead.created" }, /unknown event type/],
    ["missing tenantid", { tenantid: undefined }, /tenantid/],
    ["source of another tenant", { source: `/tenants/${USER}/leads` }, /source/],
    ["seed-style source", { source: "lead-service" }, /source/],
    ["source without context", { source: `/tenants/${TENANT}/` }, /source/],
    ["bad time", { time: "14/03/2026" }, /time/],
    ["time without zone", { time: "2026-03-14T10:30:00" }, /time/],
    ["impossible date", { time: "2026-02-30T10:30:00Z" }, /time/],
    ["impossible hour", { time: "2026-02-10T24:30:00Z" }, /time/],
    ["numeric time", { time: 1767225600000 }, /time/],
    ["other content type", { datacontenttype: "text/plain" }, /datacontenttype/],
    ["missing data", { data: undefined }, /data is required/],
    ["empty subject", { subject: "" }, /subject/],
    ["numeric userid", { userid: 7 }, /userid/],
  ])("rejects %s", (_label, patch, re) => {
    const e = sample(patch);
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete e[k];
    expect(parseError(e)).toMatch(re);
  });

  it("rejects non-objects", () => {
    for (const v of [null, undefined, 1, true, [], [sample()], "{", "null"]) expect(parseEvent(v).ok).toBe(false);
  });

  it("round-trips any buildable event through JSON", () => {
    const json = fc.jsonValue().filter((v) => v !== undefined);
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_TYPES),
        fc.uuid(),
        fc.uuid(),
        json,
        fc.option(fc.uuid(), { nil: undefined }),
        fc.date({ min: new Date("1970-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }),
        (type, tenantId, id, data, userId, time) => {
          const e: CloudEvent = buildEvent({ type, tenantId, context: "x", id, data, userId, time });
          const r = parseEvent(JSON.parse(JSON.stringify(e)));
          expect(r).toEqual({ ok: true, event: JSON.parse(JSON.stringify(e)) });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        expect(typeof parseEvent(v).ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });
});

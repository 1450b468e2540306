/**
 * Domain events as CloudEvents 1.0 JSON envelopes (https://github.com/cloudevents/spec, v1.0.2:
 * spec.md and formats/json-format.md).
 *
 * - `type` is one of EVENT_TYPES, `source` is `/tenants/{tenantId}/{context}`, `id` a UUID (it is
 *   the outbox primary key and the NATS `Nats-Msg-Id`, so consumers dedupe by it).
 * - Our extension attributes are `tenantid`, `userid`, `correlationid`, `causationid`. The spec
 *   requires attribute names of lower-case ASCII letters and digits only; the seed's camelCase
 *   (`tenantId`) was invalid, and `parseEvent` rejects it with a hint.
 * - NATS subjects are the type in lower snake case with the tenant last
 *   (`WhatsApp.MessageReceived` → `whatsapp.message_received.{tenantId}`), so a stream such as
 *   LEAD_EVENTS can bind `lead.>` and a consumer can filter one tenant with `*.*.{tenantId}`.
 */

/**
 * The seed's event list (its architecture document's `DomainEvent` union) plus the events the CRM
 * core, CFDI, WhatsApp and MSI issues add (Lead.Lost, Contact.*, Customer.Updated,
 * Proposal.Updated/Expired, Activity.Created, WhatsApp.StatusUpdated, WhatsApp.Channel*, MSI.PlanCreated/
 * InstallmentDue/InstallmentOverdue). Closed: a new event type is added here first.
 */
export const EVENT_TYPES = [
  "Lead.Created",
  "Lead.Updated",
  "Lead.Contacted",
  "Lead.Qualified",
  "Lead.Converted",
  "Lead.Lost",
  "Lead.ScoreChanged",
  "Contact.Created",
  "Contact.Updated",
  "Customer.Created",
  "Customer.Updated",
  "Proposal.Created",
  "Proposal.Updated",
  "Proposal.Sent",
  "Proposal.LinkRotated",
  "Proposal.Viewed",
  "Proposal.Accepted",
  "Proposal.Rejected",
  "Proposal.Expired",
  "Activity.Created",
  "Contract.Signed",
  "Invoice.Generated",
  "Payment.Received",
  "Expense.Recorded",
  "CFDI.Generated",
  "CFDI.Stamped",
  "CFDI.Cancelled",
  "CFDI.ValidationFailed",
  "CFDI.StampFailed",
  /** The account's CSD stops sealing soon: 30, 7 and 1 days before (issue 13). */
  "CFDI.CsdExpiring",
  "WhatsApp.MessageReceived",
  "WhatsApp.MessageSent",
  "WhatsApp.StatusUpdated",
  // Issue 12 names the delivery-status event this way; StatusUpdated stays for the seed's list.
  "WhatsApp.MessageStatusChanged",
  "WhatsApp.ConversationStarted",
  "WhatsApp.ChannelCreated",
  "WhatsApp.ChannelUpdated",
  "WhatsApp.ChannelDeleted",
  "MSI.PlanCreated",
  "MSI.PaymentScheduled",
  "MSI.InstallmentDue",
  "MSI.InstallmentPaid",
  "MSI.InstallmentOverdue",
  "MSI.PaymentReceived",
  "MSI.PlanCompleted",
  "MSI.PlanDefaulted",
  "MSI.PlanCancelled",
  /** A tenant's morning MSI figures: due today, overdue, collected yesterday (MXN); once per local day. */
  "MSI.MorningSummary",
  "AI.LeadScored",
  "AI.EmailExtracted",
  "AI.VoiceTranscribed",
  "AI.MeetingAnalyzed",
  "AI.BusinessCardOCR",
  "AI.ChurnPredicted",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface CloudEvent<D = unknown> {
  specversion: "1.0";
  id: string;
  type: EventType;
  source: string;
  subject?: string;
  time: string;
  datacontenttype: "application/json";
  data: D;
  tenantid: string;
  userid?: string;
  correlationid?: string;
  causationid?: string;
  /**
   * CloudEvents "dataref" extension (claim check): set only when the event was too large for the
   * queue and `data` was cut down to its reference form (core/events/queue-batches.ts).
   */
  dataref?: string;
}

export interface BuildEventInput<D> {
  type: EventType;
  tenantId: string;
  /** Bounded context, lower-case: "leads" → source "/tenants/{tenantId}/leads". */
  context: string;
  /** What the event is about, usually the row id. */
  subject?: string | undefined;
  data: D;
  userId?: string | undefined;
  correlationId?: string | undefined;
  causationId?: string | undefined;
  /** Defaults to a random UUID. */
  id?: string | undefined;
  /** Defaults to now. */
  time?: Date | undefined;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTEXT_RE = /^[a-z][a-z0-9-]*$/;
// CloudEvents 1.0 §"Attribute Naming Convention".
const ATTRIBUTE_NAME_RE = /^[a-z0-9]+$/;
// RFC 3339 date-time, as CloudEvents requires for `time`.
const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const NATS_TOKEN_RE = /^[A-Za-z0-9_-]+$/;

const TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && TYPE_SET.has(value);
}

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_RE.test(value);
}

/** Builds an envelope; throws TypeError on input no valid event could carry (a programming error). */
export function buildEvent<D>(input: BuildEventInput<D>): CloudEvent<D> {
  if (!isEventType(input.type)) throw new TypeError(`unknown event type: ${String(input.type)}`);
  if (!isUuid(input.tenantId)) throw new TypeError(`tenantId must be a UUID: ${String(input.tenantId)}`);
  if (typeof input.context !== "string" || !CONTEXT_RE.test(input.context))
    throw new TypeError(`context must be a lower-case path segment: ${String(input.context)}`);
  if (input.data === undefined) throw new TypeError("data is required (use null for no payload)");
  const id = input.id ?? crypto.randomUUID();
  if (!isUuid(id)) throw new TypeError(`id must be a UUID: ${String(id)}`);
  const optional = (name: string, v: string | undefined): Record<string, string> => {
    if (v === undefined) return {};
    if (typeof v !== "string" || v === "") throw new TypeError(`${name} must be a non-empty string`);
    return { [name]: v };
  };
  return {
    specversion: "1.0",
    id,
    type: input.type,
    source: `/tenants/${input.tenantId}/${input.context}`,
    ...optional("subject", input.subject),
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: "application/json",
    tenantid: input.tenantId,
    ...optional("userid", input.userId),
    ...optional("correlationid", input.correlationId),
    ...optional("causationid", input.causationId),
    data: input.data,
  } as CloudEvent<D>;
}

/** "MessageReceived" → "message_received", "BusinessCardOCR" → "business_card_ocr". */
function snake(word: string): string {
  return word
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** NATS subject of an event: `{context}.{action}.{tenantId}`, e.g. `ai.lead_scored.{tenantId}`. */
export function natsSubject(type: EventType, tenantId: string): string {
  if (!isEventType(type)) throw new TypeError(`unknown event type: ${String(type)}`);
  // A subject token must not contain ".", "*", ">" or whitespace.
  if (typeof tenantId !== "string" || !NATS_TOKEN_RE.test(tenantId))
    throw new TypeError(`tenantId is not a valid NATS subject token: ${String(tenantId)}`);
  const [context = "", action = ""] = type.split(".");
  return `${context.toLowerCase()}.${snake(action)}.${tenantId}`;
}

function validTime(text: string): boolean {
  const m = RFC3339_RE.exec(text);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, , oh, om] = m.map(Number) as number[];
  if (h! > 23 || mi! > 59 || s! > 59) return false;
  if (m[8] !== undefined && (oh! > 23 || om! > 59)) return false;
  const date = new Date(Date.UTC(y!, mo! - 1, d!));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d;
}

const KNOWN = new Set([
  "specversion",
  "id",
  "type",
  "source",
  "subject",
  "time",
  "datacontenttype",
  "data",
  "tenantid",
  "userid",
  "correlationid",
  "causationid",
  "dataref",
]);

/**
 * Strict validation of an envelope received from the queue or NATS (an object, or its JSON text).
 * Besides the CloudEvents rules it enforces ours: UUID `id` and `tenantid`, a known `type`,
 * `source` = `/tenants/{tenantid}/{context}`, JSON data, RFC 3339 `time`. Other extension attributes
 * are kept if correctly named and of a CloudEvents JSON type (string, integer, boolean).
 */
export function parseEvent(value: unknown): { ok: true; event: CloudEvent } | { ok: false; error: string } {
  const fail = (error: string) => ({ ok: false as const, error });
  let v = value;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return fail("not JSON");
    }
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail("an event must be a JSON object");
  const o = v as Record<string, unknown>;

  for (const [name, attr] of Object.entries(o)) {
    if (KNOWN.has(name)) continue;
    if (name === "data_base64") return fail("data_base64 is not supported: events carry JSON data");
    if (!ATTRIBUTE_NAME_RE.test(name)) {
      const lower = name.toLowerCase();
      const hint = KNOWN.has(lower) ? ` (use "${lower}")` : "";
      return fail(
        `attribute name "${name}" is invalid: CloudEvents names are lower-case letters and digits only${hint}`,
      );
    }
    const okType =
      typeof attr === "string" || typeof attr === "boolean" || (typeof attr === "number" && Number.isSafeInteger(attr));
    if (!okType) return fail(`extension attribute "${name}" must be a string, an integer or a boolean`);
  }

  if (o.specversion !== "1.0") return fail(`specversion must be "1.0"`);
  if (!isUuid(o.id)) return fail("id must be a UUID");
  if (!isEventType(o.type)) return fail(`unknown event type: ${JSON.stringify(o.type) ?? "undefined"}`);
  if (!isUuid(o.tenantid)) return fail("tenantid must be a UUID");
  if (typeof o.source !== "string") return fail("source is required");
  const prefix = `/tenants/${o.tenantid}/`;
  if (!o.source.startsWith(prefix) || !CONTEXT_RE.test(o.source.slice(prefix.length))) {
    return fail(
      `source must be "/tenants/{tenantid}/{context}" for this event's tenant, got ${JSON.stringify(o.source)}`,
    );
  }
  if (typeof o.time !== "string" || !validTime(o.time)) return fail("time must be an RFC 3339 timestamp");
  if (o.datacontenttype !== "application/json") return fail(`datacontenttype must be "application/json"`);
  if (!Object.hasOwn(o, "data") || o.data === undefined) return fail("data is required (null for no payload)");
  for (const name of ["subject", "userid", "correlationid", "causationid", "dataref"] as const) {
    if (Object.hasOwn(o, name) && (typeof o[name] !== "string" || o[name] === ""))
      return fail(`${name} must be a non-empty string when present`);
  }
  return { ok: true, event: { ...o } as unknown as CloudEvent };
}

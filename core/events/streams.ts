/**
 * The JetStream streams the event relay publishes into (DESIGN "Events"; issue 15): one per bounded
 * context, subjects `{context}.{action}.{tenantId}` (natsSubject), retention per the seed —
 * LEAD 7 d, PROPOSAL 30 d, CFDI 5 y, WHATSAPP 90 d, AI 7 d — and, for the contexts the seed left
 * open, what their records ask for: money and fiscal records (contracts, invoices, payments,
 * expenses, MSI plans) 5 years like the CFDI; customers and contacts a year; activities 90 days, the
 * activity log's own retention. Runtime-free: `npm run nats:provision` applies it.
 */
import { EVENT_TYPES, natsSubject, type EventType } from "./cloudevents.ts";

const DAY_NS = 86_400n * 1_000_000_000n;

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** Nanoseconds, as JetStream's max_age. */
  maxAgeNs: bigint;
  /**
   * Nats-Msg-Id de-duplication window, nanoseconds: an hour, past the queue's longest retry back-off
   * (5 min) and the outbox sweep's re-sends, so a redelivered event is dropped, not stored twice.
   */
  duplicateWindowNs: bigint;
}

function stream(name: string, prefix: string, days: number): StreamSpec {
  return {
    name,
    subjects: [`${prefix}.>`],
    maxAgeNs: BigInt(days) * DAY_NS,
    duplicateWindowNs: 3_600n * 1_000_000_000n,
  };
}

const FIVE_YEARS = 1_827;

export const STREAMS: readonly StreamSpec[] = [
  stream("LEAD_EVENTS", "lead", 7),
  stream("PROPOSAL_EVENTS", "proposal", 30),
  stream("CFDI_EVENTS", "cfdi", FIVE_YEARS),
  stream("WHATSAPP_EVENTS", "whatsapp", 90),
  stream("AI_EVENTS", "ai", 7),
  stream("MSI_EVENTS", "msi", FIVE_YEARS),
  stream("CUSTOMER_EVENTS", "customer", 365),
  stream("CONTACT_EVENTS", "contact", 365),
  stream("ACTIVITY_EVENTS", "activity", 90),
  stream("CONTRACT_EVENTS", "contract", FIVE_YEARS),
  stream("INVOICE_EVENTS", "invoice", FIVE_YEARS),
  stream("PAYMENT_EVENTS", "payment", FIVE_YEARS),
  stream("EXPENSE_EVENTS", "expense", FIVE_YEARS),
];

/** The stream an event type lands in (every type has exactly one: a test checks it). */
export function streamOf(type: EventType): StreamSpec | undefined {
  const prefix = natsSubject(type, "t").split(".")[0];
  return STREAMS.find((s) => s.subjects.some((subject) => subject === `${prefix}.>`));
}

/** Event types no stream captures (empty when STREAMS is complete). */
export function uncoveredTypes(): EventType[] {
  return EVENT_TYPES.filter((t) => !streamOf(t));
}

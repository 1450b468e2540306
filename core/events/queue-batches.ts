import type { CloudEvent } from "./cloudevents.ts";

/**
 * Cloudflare Queues limits (developers.cloudflare.com/queues/platform/limits/): 128 KB per
 * message, 256 KB per `sendBatch`, 100 messages per `sendBatch`. 1 KB is 1000 bytes there, and
 * each message carries up to ~100 bytes of internal metadata that counts toward both limits.
 */
export const QUEUE_MESSAGE_LIMIT_BYTES = 128_000;
export const QUEUE_BATCH_LIMIT_BYTES = 256_000;
export const QUEUE_BATCH_MAX_MESSAGES = 100;

/**
 * Our budget per message body (its JSON, UTF-8): 120 KiB = 122,880 bytes, ~5 KB under the limit
 * for the metadata and for any difference between our JSON and the runtime's serialisation.
 */
export const MESSAGE_BUDGET_BYTES = 120 * 1024;
/** Counted per message on top of its JSON (the platform's ~100 bytes of metadata, rounded up). */
export const MESSAGE_OVERHEAD_BYTES = 128;
/** Our budget per `sendBatch`: 240 KiB = 245,760 bytes of bodies plus overheads, under 256,000. */
export const BATCH_BUDGET_BYTES = 240 * 1024;

const encoder = new TextEncoder();

/** Bytes of `value` as the queue carries it (`contentType: "json"`): its JSON text in UTF-8. */
export function jsonByteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}

/** The `data` of an event sent in reference form: which aggregate, at which version. */
export interface DataReference {
  id: string;
  version?: number;
}

export function isReferenceForm(event: CloudEvent): boolean {
  return typeof event.dataref === "string";
}

/**
 * The event with `data` cut down to `{ id, version }` and the CloudEvents `dataref` extension
 * (claim check) pointing at the aggregate in the API, `/v1/{context}/{id}` (a URI-reference
 * relative to the API's base URL). Everything else in the envelope is unchanged, so the event id
 * still deduplicates. Undefined when there is no aggregate id to point at.
 */
export function referenceForm(event: CloudEvent): CloudEvent<DataReference> | undefined {
  const data =
    typeof event.data === "object" && event.data !== null && !Array.isArray(event.data)
      ? (event.data as Record<string, unknown>)
      : {};
  const id = typeof data.id === "string" && data.id !== "" ? data.id : event.subject;
  // source is /tenants/{tenantid}/{context} (checked: an outbox row is not parsed before sending).
  const context = typeof event.source === "string" ? event.source.split("/")[3] : undefined;
  if (!id || !context) return undefined;
  const reference: DataReference = {
    id,
    ...(Number.isSafeInteger(data.version) ? { version: data.version as number } : {}),
  };
  return { ...event, data: reference, dataref: `/v1/${context}/${encodeURIComponent(id)}` };
}

export interface QueueMessagePlan {
  /** As it will be sent: the event itself, or its reference form. */
  body: CloudEvent;
  bytes: number;
  referenced: boolean;
}

export interface QueuePlan {
  /** Each within QUEUE_BATCH_MAX_MESSAGES and BATCH_BUDGET_BYTES; every sendable event in exactly one. */
  batches: QueueMessagePlan[][];
  /** Over the budget even in reference form (an envelope, not data, that is too large). */
  unsendable: { event: CloudEvent; bytes: number }[];
}

/**
 * Splits events into `sendBatch` calls by count and by bytes, in order. An event over the
 * per-message budget goes in reference form, so no payload (free text such as notes or terms)
 * can make an event undeliverable.
 */
export function planQueueBatches(events: readonly CloudEvent[]): QueuePlan {
  const batches: QueueMessagePlan[][] = [];
  const unsendable: QueuePlan["unsendable"] = [];
  let current: QueueMessagePlan[] = [];
  let currentBytes = 0;
  for (const event of events) {
    let message: QueueMessagePlan = { body: event, bytes: jsonByteLength(event), referenced: false };
    if (message.bytes > MESSAGE_BUDGET_BYTES) {
      const reference = referenceForm(event);
      const bytes = reference ? jsonByteLength(reference) : Number.POSITIVE_INFINITY;
      if (!reference || bytes > MESSAGE_BUDGET_BYTES) {
        unsendable.push({ event, bytes: message.bytes });
        continue;
      }
      message = { body: reference, bytes, referenced: true };
    }
    const cost = message.bytes + MESSAGE_OVERHEAD_BYTES;
    if (
      current.length === QUEUE_BATCH_MAX_MESSAGES ||
      (current.length > 0 && currentBytes + cost > BATCH_BUDGET_BYTES)
    ) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += cost;
  }
  if (current.length > 0) batches.push(current);
  return { batches, unsendable };
}

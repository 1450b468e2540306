// POST /webhooks/whatsapp/{provider}/{channelId}: a provider's delivery (Meta and 360dialog JSON,
// Twilio form). No JWT: the signature is the authentication (read-delivery.ts).
//
// The answer is 200 only once every conversation of the delivery has stored it durably in its
// ConversationDO (ingest returns after its SQLite commit), so a 200 never loses a message; any
// failure before that is a 5xx and the provider redelivers, which the objects absorb (idempotent by
// provider message id). Refusals store nothing and log only the reason: 404 unknown channel,
// 401 signature, 403 another business number, 400/413 payload.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { batchesByConversation } from "../../../core/whatsapp/conversation-batches.ts";
import type { NormalizedDelivery } from "../../../core/whatsapp/events.ts";
import { MAX_BODY_BYTES } from "../../../core/whatsapp/limits.ts";
import { conversationStub } from "../../../durable-objects/conversation-client.ts";
import type { IngestResult } from "../../../durable-objects/conversation.ts";
import type { HonoEnv } from "../../context.ts";
import { AppError } from "../../http/problem.ts";
import { timed } from "../../http/server-timing.ts";
import { lookupWebhookChannel, type WebhookChannel } from "../channel-lookup.ts";
import { readDelivery, type DeliveryRefusal } from "./read-delivery.ts";

export const WHATSAPP_WEBHOOK_PREFIX = "/webhooks/whatsapp/";
export const WHATSAPP_WEBHOOK_MAX_BODY_BYTES = MAX_BODY_BYTES;
export const WHATSAPP_WEBHOOK_TOO_LARGE = `a webhook delivery may not exceed ${MAX_BODY_BYTES} bytes`;

// Twilio reads the answer to an inbound message as TwiML: an empty <Response/> sends no reply.
const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export function registerReceiveDelivery(app: OpenAPIHono<HonoEnv>): void {
  app.post("/webhooks/whatsapp/:provider/:channelId", async (c) => {
    const provider = c.req.param("provider");
    const channelId = c.req.param("channelId");
    const log = c.get("logFields");
    log.whatsapp = { provider, channelId };
    const channel = await lookupWebhookChannel(c, provider, channelId);
    if (!channel) {
      log.whatsapp = { provider, channelId, refused: "unknown_channel" };
      throw new AppError("NOT_FOUND", "no WhatsApp channel at this webhook URL");
    }
    log.tenantId = channel.tenantId;
    const reading = await readDelivery(channel, {
      body: new Uint8Array(await c.req.arrayBuffer()),
      header: (name) => c.req.header(name),
      url: c.req.url,
      receivedAt: Date.now(),
    });
    if (!reading.ok) {
      log.whatsapp = { provider, channelId, refused: refusalLabel(reading.refusal) };
      throw refusalProblem(reading.refusal);
    }
    const { delivery } = reading;
    const results = await timed(c, "db", () => ingestAll(c, channel, delivery));
    log.whatsapp = {
      provider,
      channelId,
      conversations: results.length,
      messages: delivery.messages.length,
      statuses: delivery.statuses.length,
      stored: sum(results, "messagesStored"),
      duplicates: sum(results, "duplicates"),
      pendingStatuses: sum(results, "statusesPending"),
      started: results.filter((r) => r.conversationStarted).length,
      skipped: delivery.skippedCount,
    };
    if (channel.provider === "twilio") return c.body(TWIML_EMPTY, 200, { "content-type": "text/xml; charset=utf-8" });
    return c.json({ received: true }, 200);
  });
}

// A delivery may name many customers (up to core/whatsapp's event limits); their objects are
// called this many at a time, so one delivery cannot open thousands of calls at once.
const PARALLEL_CONVERSATIONS = 32;

/** Every conversation's batch: the delivery is acknowledged when the last has stored its part. */
async function ingestAll(
  c: Context<HonoEnv>,
  channel: WebhookChannel,
  delivery: NormalizedDelivery,
): Promise<IngestResult[]> {
  const batches = batchesByConversation(delivery);
  const results: IngestResult[] = [];
  for (let i = 0; i < batches.length; i += PARALLEL_CONVERSATIONS) {
    const slice = batches.slice(i, i + PARALLEL_CONVERSATIONS);
    results.push(
      ...(await Promise.all(
        slice.map(({ waId, profile, messages, statuses }) =>
          conversationStub(c.env, channel.id, waId).ingest({
            tenantId: channel.tenantId,
            channelId: channel.id,
            waId,
            ...(profile ? { profile } : {}),
            messages,
            statuses,
          }),
        ),
      )),
    );
  }
  return results;
}

function sum(results: IngestResult[], key: "messagesStored" | "duplicates" | "statusesPending"): number {
  return results.reduce((n, r) => n + r[key], 0);
}

function refusalLabel(refusal: DeliveryRefusal): string {
  switch (refusal.kind) {
    case "signature":
      return `signature_${refusal.reason}`;
    case "payload":
      return `payload_${refusal.error}`;
    case "number":
      return "foreign_number";
  }
}

function refusalProblem(refusal: DeliveryRefusal): AppError {
  switch (refusal.kind) {
    case "signature":
      return new AppError(
        "UNAUTHORIZED",
        refusal.reason === "missing"
          ? "the provider's signature header is missing"
          : refusal.reason === "no_secret"
            ? "the channel has no secret to check this provider's signature"
            : "the provider's signature does not match this delivery",
      );
    case "payload":
      return new AppError(
        refusal.error === "too_large" ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST",
        `the delivery cannot be read: ${refusal.message}`,
      );
    case "number":
      return new AppError("FORBIDDEN", refusal.reason);
  }
}

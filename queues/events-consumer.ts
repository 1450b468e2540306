import { isUuid, parseEvent, type CloudEvent } from "../core/events/cloudevents.ts";
import type { StampingMessage } from "../platform/invoicing/stamping-queue.ts";
import { createLogger } from "../platform/logger.ts";
import { loadConfig, type Env } from "../platform/env.ts";
import { reactionsTo } from "./event-handlers.ts";
import { tenantWork } from "../platform/work.ts";
import { markDelivered } from "../db/outbox-store.ts";
import { natsUrl, publishToJetStream } from "../platform/nats-relay.ts";

/**
 * Work for the stamping queue: accepted proposals (invoiced there for accounts with
 * autoInvoiceOnAccept) and MSI payments (their recibo de pago when the plan has a PPD invoice).
 */
function stampingMessage(e: CloudEvent): StampingMessage | null {
  if (!e.subject || !isUuid(e.subject)) return null;
  if (e.type === "Proposal.Accepted")
    return {
      kind: "auto-invoice",
      tenantId: e.tenantid,
      proposalId: e.subject,
      eventId: e.id,
      ...(e.userid && isUuid(e.userid) ? { userId: e.userid } : {}),
    };
  if (e.type === "MSI.PaymentReceived") return { kind: "payment-receipt", tenantId: e.tenantid, paymentId: e.subject };
  return null;
}

async function handOnToStamping(env: Env, events: CloudEvent[]): Promise<void> {
  const messages = events.flatMap((e) => {
    const m = stampingMessage(e);
    return m ? [m] : [];
  });
  if (messages.length === 0 || !env.STAMPING) return;
  await env.STAMPING.sendBatch(messages.map((body) => ({ contentType: "json" as const, body })));
}

/**
 * Consumer of the events queue: per tenant, one unit of work (one round trip) that runs the
 * in-process reactions and marks the outbox rows delivered. A failure retries that tenant's
 * messages (the queue redelivers); malformed messages are acknowledged and logged, never retried.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const logger = createLogger(config, "crm-events");
  const byTenant = new Map<string, { event: CloudEvent; message: Message<unknown> }[]>();
  for (const message of batch.messages) {
    const parsed = parseEvent(message.body);
    if (!parsed.ok) {
      logger.error("malformed event dropped", { messageId: message.id, reason: parsed.error });
      message.ack();
      continue;
    }
    const list = byTenant.get(parsed.event.tenantid) ?? [];
    list.push({ event: parsed.event, message });
    byTenant.set(parsed.event.tenantid, list);
  }

  await Promise.all(
    [...byTenant.entries()].map(async ([tenantId, items]) => {
      const ids = items.map((i) => i.event.id);
      const uow = tenantWork(config, tenantId, undefined, (p) => ctx.waitUntil(p));
      try {
        // Handed on before the events are marked delivered: if this fails they come again, and a
        // second message for one proposal or payment changes nothing (platform/invoicing/auto-invoice.ts,
        // payment-receipt.ts).
        const events = items.map((i) => i.event);
        await handOnToStamping(env, events);
        // Out to JetStream before the rows are marked delivered: an outage retries, never loses.
        const nats = natsUrl(env);
        const relayed = nats ? await publishToJetStream(nats, events) : null;
        await uow.run([markDelivered(ids), ...items.flatMap((i) => reactionsTo(i.event))]);
        for (const i of items) i.message.ack();
        logger.with({ tenantId }).info("events delivered", {
          count: items.length,
          types: [...new Set(events.map((e) => e.type))],
          // How far behind delivery runs: the batch's oldest event, from when it happened.
          oldestAgeMs: Math.max(0, Date.now() - Math.min(...events.map((e) => Date.parse(e.time)))),
          ...(relayed ? { jetstream: relayed } : {}),
        });
      } catch (err) {
        logger.with({ tenantId }).error("event delivery failed; will retry", { count: items.length }, err);
        for (const i of items)
          i.message.retry({ delaySeconds: Math.min(300, 10 * 2 ** Math.min(i.message.attempts, 5)) });
      }
    }),
  );
}

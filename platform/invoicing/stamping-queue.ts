import type { Logger } from "../../core/logging/logger.ts";
import type { Env } from "../env.ts";

// Messages of the stamping queue (queues/stamping-consumer.ts). Small on purpose: the consumer reads
// everything else from the database, so a message sent twice or late does no harm.

export type StampingMessage =
  /** Stamp (or retry stamping) an invoice. */
  | { kind: "stamp"; tenantId: string; invoiceId: string }
  /** An MSI payment on a PPD invoice: issue and stamp its recibo de pago. */
  | { kind: "payment-receipt"; tenantId: string; paymentId: string }
  /** Ask SAT (through the PAC) where a pending cancellation stands. */
  | { kind: "follow-cancel"; tenantId: string; invoiceId: string }
  /** A proposal was accepted: invoice and stamp it when the account has autoInvoiceOnAccept. */
  | { kind: "auto-invoice"; tenantId: string; proposalId: string; eventId: string; userId?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidField(body: Record<string, unknown>, name: string): string | null {
  const v = body[name];
  return typeof v === "string" && UUID.test(v) ? v : null;
}

export function parseStampingMessage(body: unknown): StampingMessage | null {
  if (!body || typeof body !== "object") return null;
  const b = body as Record<string, unknown>;
  const tenantId = uuidField(b, "tenantId");
  if (!tenantId) return null;
  if (b.kind === "stamp" || b.kind === "follow-cancel") {
    const invoiceId = uuidField(b, "invoiceId");
    return invoiceId ? { kind: b.kind, tenantId, invoiceId } : null;
  }
  if (b.kind === "payment-receipt") {
    const paymentId = uuidField(b, "paymentId");
    return paymentId ? { kind: "payment-receipt", tenantId, paymentId } : null;
  }
  if (b.kind === "auto-invoice") {
    const proposalId = uuidField(b, "proposalId");
    const eventId = uuidField(b, "eventId");
    const userId = uuidField(b, "userId");
    if (!proposalId || !eventId) return null;
    return { kind: "auto-invoice", tenantId, proposalId, eventId, ...(userId ? { userId } : {}) };
  }
  return null;
}

/**
 * Queues a stamping retry; never throws. Without the queue (or when the send fails) the sweep finds
 * the invoice once its lease runs out, so a lost message only delays the retry.
 */
export async function enqueueStamp(
  env: Env,
  logger: Logger,
  message: { tenantId: string; invoiceId: string },
  delaySeconds: number,
): Promise<void> {
  if (!env.STAMPING) return;
  try {
    await env.STAMPING.send({ kind: "stamp", ...message } satisfies StampingMessage, {
      contentType: "json",
      delaySeconds: Math.min(43_200, Math.max(0, Math.round(delaySeconds))),
    });
  } catch (err) {
    logger.warn("stamping retry not queued; the sweep will pick it up", { invoiceId: message.invoiceId }, err);
  }
}

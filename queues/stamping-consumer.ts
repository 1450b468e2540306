import type { CloudEvent } from "../core/events/cloudevents.ts";
import type { Logger } from "../core/logging/logger.ts";
import { autoInvoice, taskForOwner } from "../platform/invoicing/auto-invoice.ts";
import { followCancellation } from "../platform/invoicing/cancellation.ts";
import { issuePaymentReceipt } from "../platform/invoicing/payment-receipt.ts";
import { enqueueStamp, parseStampingMessage } from "../platform/invoicing/stamping-queue.ts";
import { stampInvoice, type StampOutcome, type StampingContext } from "../platform/invoicing/stamping.ts";
import { loadConfig, type Config, type Env } from "../platform/env.ts";
import { createLogger } from "../platform/logger.ts";
import { publishAfterCommit } from "../platform/outbox-relay.ts";
import { tenantWork } from "../platform/work.ts";

// Consumer of the stamping queue (issue 13): stamping retries with backoff, invoices left stuck by
// a crash (the sweep queues them), pending cancellations to follow up, and accepted proposals of accounts with autoInvoiceOnAccept.
// Each message is one stamping attempt. A PAC that does not answer gets a new message with the
// backoff's delay (the invoice's lease keeps it until then); anything unexpected (database, R2)
// retries the message itself. Nobody watches this work, so a failure becomes a task for the
// proposal's owner.

function contextFor(
  env: Env,
  config: Config,
  logger: Logger,
  ctx: ExecutionContext,
  tenantId: string,
  userId?: string,
): StampingContext {
  const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
  return {
    config,
    env,
    work: tenantWork(config, tenantId, undefined, waitUntil),
    tenantId,
    userId,
    publish: (events: CloudEvent[]) => publishAfterCommit(env, config, logger, waitUntil, events),
    logger,
  };
}

async function followUp(
  stamping: StampingContext,
  invoiceId: string,
  outcome: StampOutcome,
  env: Env,
  logger: Logger,
): Promise<void> {
  if (outcome.kind === "retry") {
    await enqueueStamp(env, logger, { tenantId: stamping.tenantId, invoiceId }, outcome.delaySeconds);
    return;
  }
  if (outcome.kind === "failed" && outcome.invoice.proposalId) {
    await taskForOwner(
      stamping,
      outcome.invoice.proposalId,
      { namespace: invoiceId, name: `stamp-failed-${outcome.invoice.stampAttempts}` },
      "Factura sin timbrar",
      `La factura de la cotización no se pudo timbrar: ${outcome.problem.detail}`,
      { kind: "stamp-failed", invoiceId },
    );
  }
}

export async function consumeStamping(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const logger = createLogger(config, "crm-stamping");
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = parseStampingMessage(message.body);
      if (!parsed) {
        logger.error("malformed stamping message dropped", { messageId: message.id });
        message.ack();
        return;
      }
      const log = logger.with({ tenantId: parsed.tenantId });
      const stamping = contextFor(
        env,
        config,
        log,
        ctx,
        parsed.tenantId,
        parsed.kind === "auto-invoice" ? parsed.userId : undefined,
      );
      try {
        if (parsed.kind === "stamp") {
          const outcome = await stampInvoice(stamping, parsed.invoiceId);
          await followUp(stamping, parsed.invoiceId, outcome, env, log);
          log.info("stamping attempt", {
            invoiceId: parsed.invoiceId,
            outcome: outcome.kind,
            ...(outcome.kind === "stamped" ? {} : { detail: outcome.problem.detail }),
          });
        } else if (parsed.kind === "payment-receipt") {
          const result = await issuePaymentReceipt(stamping, parsed.paymentId);
          if (result.kind === "stamp") await followUp(stamping, result.invoiceId, result.outcome, env, log);
          log.info("payment receipt", {
            paymentId: parsed.paymentId,
            result: result.kind,
            ...(result.kind === "not-needed" ? { reason: result.reason } : { invoiceId: result.invoiceId }),
            ...(result.kind === "stamp" ? { outcome: result.outcome.kind } : {}),
            ...(result.kind === "refused" ? { reason: result.reason } : {}),
          });
        } else if (parsed.kind === "follow-cancel") {
          const invoice = await followCancellation(stamping, parsed.invoiceId);
          log.info("cancellation followed", { invoiceId: parsed.invoiceId, status: invoice?.status ?? "missing" });
        } else {
          const result = await autoInvoice(stamping, parsed);
          if (result.kind === "stamp") await followUp(stamping, result.invoiceId, result.outcome, env, log);
          log.info("auto-invoice", {
            proposalId: parsed.proposalId,
            result: result.kind,
            ...(result.kind === "stamp" ? { invoiceId: result.invoiceId, outcome: result.outcome.kind } : {}),
            ...("reason" in result ? { reason: result.reason } : {}),
          });
        }
        message.ack();
      } catch (err) {
        log.error("stamping message failed; will retry", { kind: parsed.kind, attempts: message.attempts }, err);
        message.retry({ delaySeconds: Math.min(600, 15 * 2 ** Math.min(message.attempts, 6)) });
      }
    }),
  );
}

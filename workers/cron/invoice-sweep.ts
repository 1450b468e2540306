import type { Logger } from "../../core/logging/logger.ts";
import { invoicesToFollowUp } from "../../db/invoicing/invoice-store.ts";
import type { Config, Env } from "../../platform/env.ts";
import type { StampingMessage } from "../../platform/invoicing/stamping-queue.ts";
import { systemWork } from "../../platform/work.ts";

/** How often a pending cancellation is asked about (SAT gives the receptor 72 hours to answer). */
export const CANCEL_CHECK_SECONDS = 300;
const BATCH = 100;

/**
 * Every minute: invoices left `stamping` past their lease (a crashed request, a lost retry message,
 * an R2 write that failed after the PAC stamped) and pending cancellations due for a look go to the
 * stamping queue, which does the PAC work under each tenant's RLS. A message sent twice is harmless:
 * the stamping claim is exclusive and a cancellation's follow-up is a status question.
 */
export async function sweepInvoices(
  env: Env,
  config: Config,
  logger: Logger,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<{ stamping: number; cancellations: number }> {
  if (!env.STAMPING) return { stamping: 0, cancellations: 0 };
  const [rows] = await systemWork(config, waitUntil).run([invoicesToFollowUp(CANCEL_CHECK_SECONDS, BATCH)]);
  if (rows.length === 0) return { stamping: 0, cancellations: 0 };
  const messages = rows.map((r) => ({
    contentType: "json" as const,
    body: {
      kind: r.status === "stamping" ? "stamp" : "follow-cancel",
      tenantId: r.tenantId,
      invoiceId: r.id,
    } satisfies StampingMessage,
  }));
  await env.STAMPING.sendBatch(messages);
  const stamping = rows.filter((r) => r.status === "stamping").length;
  logger.info("invoices followed up", { stamping, cancellations: rows.length - stamping });
  return { stamping, cancellations: rows.length - stamping };
}

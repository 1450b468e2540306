import { uuidV5 } from "../../core/events/name-based-id.ts";
import { getFiscalProfile } from "../../db/fiscal/fiscal-profile-store.ts";
import {
  insertInvoice,
  validationFailedEvent,
  insertInvoicingTask,
  invoicesOfProposal,
  liveInvoiceOfProposal,
  proposalItemsToInvoice,
  proposalToInvoice,
  LIVE_PROPOSAL_INVOICE_KEY,
} from "../../db/invoicing/invoice-store.ts";
import { findPgError } from "../../db/pg-error.ts";
import { mapProposal, newInvoice } from "./new-invoice.ts";
import { stampInvoice, type StampOutcome, type StampingContext } from "./stamping.ts";

// autoInvoiceOnAccept (issue 13): Proposal.Accepted → the stamping queue → this: the proposal's
// invoice is created (or the live one found) and stamped. Whatever stops it becomes a task for the
// proposal's owner with the reason in Spanish — never silently lost. Safe to run twice for one
// event: one live invoice per proposal (a unique index), and the task's id comes from the event.

export type AutoInvoiceResult =
  | { kind: "off" }
  | { kind: "skipped"; reason: string }
  | { kind: "task"; reason: string; invoiceId?: string }
  | { kind: "stamp"; invoiceId: string; outcome: StampOutcome };

/** A task on the proposal's timeline, once per `key` (event or attempt). */
export async function taskForOwner(
  ctx: Pick<StampingContext, "work" | "tenantId">,
  proposalId: string,
  key: { namespace: string; name: string },
  subject: string,
  body: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  const id = await uuidV5(key.namespace, key.name);
  await ctx.work.run([insertInvoicingTask(ctx.tenantId, { id, proposalId, subject, body, metadata })]);
}

export async function autoInvoice(
  ctx: StampingContext,
  message: { proposalId: string; eventId: string },
): Promise<AutoInvoiceResult> {
  const { tenantId, work } = ctx;
  const [profiles, proposals, items, existing] = await work.run([
    getFiscalProfile(tenantId),
    proposalToInvoice(tenantId, message.proposalId),
    proposalItemsToInvoice(tenantId, message.proposalId),
    invoicesOfProposal(tenantId, message.proposalId),
  ]);
  const profile = profiles[0];
  if (!profile?.autoInvoiceOnAccept) return { kind: "off" };
  const proposal = proposals[0];
  if (!proposal) return { kind: "skipped", reason: "the proposal no longer exists" };
  if (proposal.status !== "accepted") return { kind: "skipped", reason: `the proposal is ${proposal.status}` };

  const task = async (reason: string, invoiceId?: string): Promise<AutoInvoiceResult> => {
    await taskForOwner(
      ctx,
      proposal.id,
      { namespace: message.eventId, name: "auto-invoice" },
      `Factura pendiente: ${proposal.proposalNumber}`,
      `La cotización ${proposal.proposalNumber} se aceptó, pero su factura no se pudo emitir automáticamente: ${reason}`,
      { kind: "auto-invoice-failed", ...(invoiceId ? { invoiceId } : {}) },
    );
    return { kind: "task", reason, ...(invoiceId ? { invoiceId } : {}) };
  };

  // Invoiced once, automatically or by a person: a live invoice is finished (stamped if it is not);
  // one that was cancelled or refused stays that way — invoicing again is a person's decision, and a
  // redelivered message must not bring back an invoice someone cancelled.
  const live = existing.find((i) => i.status !== "cancelled" && i.status !== "validation_failed");
  if (!live && existing.length > 0)
    return { kind: "skipped", reason: `the proposal was invoiced already (${existing[0]!.status})` };
  let invoiceId = live?.id;
  if (!invoiceId) {
    if (!proposal.customerId) return task("la cotización no tiene un cliente con datos fiscales.");
    const mapped = mapProposal(profile, proposal, items, {});
    if (!mapped.ok) return task(`faltan datos para facturar: ${mapped.issues.map((i) => i.message).join("; ")}`);
    const invoice = newInvoice(tenantId, ctx.userId ?? null, mapped.input, {
      customerId: proposal.customerId,
      proposalId: proposal.id,
      fallbackTotal: proposal.total,
    });
    try {
      const [, events] = await work.run([
        insertInvoice(invoice),
        validationFailedEvent(tenantId, invoice.id, invoice.createdBy),
      ]);
      ctx.publish(events);
      invoiceId = invoice.id;
    } catch (err) {
      // A person (or another delivery of this event) invoiced it between our read and this write.
      if (findPgError(err)?.constraint !== LIVE_PROPOSAL_INVOICE_KEY) throw err;
      const [again] = await work.run([liveInvoiceOfProposal(tenantId, proposal.id)]);
      if (!again[0]) throw err;
      invoiceId = again[0].id;
    }
    if (invoice.status === "validation_failed" && invoiceId === invoice.id)
      return task(`el CFDI no pasó la validación: ${invoice.issues.map((i) => i.message).join("; ")}`, invoice.id);
  }

  const outcome = await stampInvoice(ctx, invoiceId);
  if (outcome.kind === "failed") return task(outcome.problem.detail, invoiceId);
  if (outcome.kind === "refused" && !outcome.problem.busy) return task(outcome.problem.detail, invoiceId);
  return { kind: "stamp", invoiceId, outcome };
}

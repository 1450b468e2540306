import type { Context } from "hono";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { computeTotals, exceedsMaxAmount, type LineAmounts } from "../../core/proposals/totals.ts";
import {
  assertProposalWritten,
  deleteLineItems,
  getProposal,
  insertLineItem,
  listLineItems,
  proposalChangedEvent,
  updateDraftTotals,
  type LineItemInsert,
  type LineItemRow,
  type ProposalRow,
} from "../../db/proposals/proposal-store.ts";
import type { HonoEnv } from "../context.ts";
import { findPgError } from "../http/error-handler.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, readRun, writeRun } from "../services.ts";
import { notUpdated, totalTooLarge } from "./proposal-errors.ts";
import { lineInput } from "./proposal-schema.ts";

export interface ItemChange {
  /** The lines after the change, given the current ones. */
  apply: (current: LineItemRow[]) => {
    keep: LineItemRow[];
    add?: Omit<LineItemInsert, "subtotal" | "discount" | "taxableBase" | "tax" | "total">;
  };
}

/** Concurrent item changes to one proposal retry this often before answering 409. */
const ATTEMPTS = 3;

/**
 * Adds or removes one line item of a draft and recomputes the stored totals from ALL its lines
 * with computeTotals (the one place amounts are computed). It must read the current lines before
 * it can compute, so it is read → compute → guarded write: two HTTP round trips instead of an
 * interactive transaction's dozen. The write only applies to the version that was read
 * (`app_assert` aborts the whole batch otherwise, idempotency claim included), and a concurrent
 * change just means reading again.
 */
export async function changeItems(
  c: Context<HonoEnv>,
  proposalId: string,
  expected: number | undefined,
  change: ItemChange,
  status: 200 | 201,
): Promise<{ row: ProposalRow; items: LineItemRow[]; events: CloudEvent[] }> {
  const actor = actorOf(c);
  for (let attempt = 1; ; attempt++) {
    const [found, current] = await readRun(c, [
      getProposal(actor.tenantId, proposalId),
      listLineItems(actor.tenantId, proposalId),
    ]);
    const read = found[0];
    if (!read) throw new AppError("NOT_FOUND", "proposal not found");
    if (read.status !== "draft" || (expected !== undefined && read.version !== expected))
      throw notUpdated(read.status, read.version, expected);

    const { keep, add } = change.apply(current);
    const inputs = keep.map((l) =>
      lineInput({
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        discountPercent: l.discountPercent,
        taxRate: l.taxRate,
      }),
    );
    if (add)
      inputs.push(
        lineInput({
          quantity: add.quantity,
          unitPrice: add.unitPrice,
          discountPercent: add.discountPercent ?? null,
          taxRate: add.taxRate ?? null,
        }),
      );
    const { lines, totals } = computeTotals(inputs);
    if (exceedsMaxAmount(totals)) throw totalTooLarge();
    const removed = current.filter((l) => !keep.includes(l)).map((l) => l.id);

    try {
      const [updated, , , events, items] = await writeRun(c, { resourcePath: `/v1/proposals/${proposalId}`, status }, [
        updateDraftTotals(actor.tenantId, proposalId, totals, read.version),
        assertProposalWritten(proposalId),
        add
          ? insertLineItem({ ...add, ...(lines[lines.length - 1] as LineAmounts) })
          : deleteLineItems(actor.tenantId, proposalId, removed),
        proposalChangedEvent(actor, "Proposal.Updated", proposalId),
        listLineItems(actor.tenantId, proposalId),
      ]);
      const row = updated[0];
      if (!row) throw new AppError("INTERNAL", "guarded update returned no row");
      return { row, items, events };
    } catch (err) {
      if (findPgError(err)?.code === "ZT409" && attempt < ATTEMPTS) continue;
      throw err;
    }
  }
}

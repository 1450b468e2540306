import { and, asc, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { computeTotals, MAX_AMOUNT, type LineAmounts } from "../../core/proposals/totals.ts";
import { proposalLineItems, proposals } from "../../db/schema/crm.ts";
import type { InteractiveDatabase } from "../../db/unit-of-work.ts";
import type { HonoEnv } from "../context.ts";
import { eventsFrom, outboxInsert } from "../events/outbox.ts";
import { AppError } from "../http/problem.ts";
import { unitOfWork } from "../services.ts";
import { exceedsMax, lineInput } from "./proposal-schema.ts";
import { notUpdated } from "./update-proposal.ts";

type ProposalRow = typeof proposals.$inferSelect;
type LineItemRow = typeof proposalLineItems.$inferSelect;

export interface ItemChange {
  /** The lines after the change, as inputs for computeTotals, given the current ones. */
  apply: (current: LineItemRow[]) => { keep: LineItemRow[]; add?: Omit<typeof proposalLineItems.$inferInsert, "subtotal" | "discount" | "taxableBase" | "tax" | "total"> };
}

/**
 * Adds or removes one line item of a draft and recomputes the stored totals from ALL its lines
 * with computeTotals, in one interactive transaction: it must read the current lines before it can
 * compute, so it cannot be a single batch. The proposal row is locked (FOR UPDATE) first, so
 * concurrent item changes to one proposal serialise and totals always match the stored lines.
 * Round trips: the WebSocket connection set-up plus one per statement (see the tests' counts).
 */
export async function changeItems(
  c: Context<HonoEnv>,
  proposalId: string,
  expected: number | undefined,
  change: ItemChange,
): Promise<{ row: ProposalRow; items: LineItemRow[]; events: CloudEvent[] }> {
  const auth = c.get("auth");
  return unitOfWork(c).interactive(async (tx: InteractiveDatabase) => {
    const mine = and(eq(proposals.tenantId, auth.tenantId), eq(proposals.id, proposalId));
    const [locked] = await tx.select().from(proposals).where(mine).for("update");
    if (!locked) throw new AppError("NOT_FOUND", "proposal not found");
    if (locked.status !== "draft" || (expected !== undefined && locked.version !== expected)) throw notUpdated(locked.status, locked.version, expected);
    const current = await tx
      .select()
      .from(proposalLineItems)
      .where(and(eq(proposalLineItems.tenantId, auth.tenantId), eq(proposalLineItems.proposalId, proposalId)))
      .orderBy(asc(proposalLineItems.position));

    const { keep, add } = change.apply(current);
    const inputs = keep.map((l) => lineInput({ quantity: l.quantity, unitPrice: l.unitPrice, discountPercent: l.discountPercent, taxRate: l.taxRate }));
    if (add) inputs.push(lineInput({ quantity: add.quantity, unitPrice: add.unitPrice, discountPercent: add.discountPercent ?? null, taxRate: add.taxRate ?? null }));
    const { lines, totals } = computeTotals(inputs);
    if (exceedsMax(totals)) {
      throw new AppError("UNPROCESSABLE", `the proposal total would exceed the maximum (${MAX_AMOUNT})`, { errors: [{ path: "body", message: "total máximo excedido" }] });
    }

    const items = [...keep];
    if (add) {
      const amounts = lines[lines.length - 1] as LineAmounts;
      const [inserted] = await tx.insert(proposalLineItems).values({ ...add, ...amounts }).returning();
      if (inserted) items.push(inserted);
    } else {
      const removed = current.filter((l) => !keep.includes(l)).map((l) => l.id);
      for (const itemId of removed) await tx.delete(proposalLineItems).where(and(eq(proposalLineItems.proposalId, proposalId), eq(proposalLineItems.id, itemId)));
    }
    const [row] = await tx
      .update(proposals)
      .set({ ...totals, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
      .where(mine)
      .returning();
    if (!row) throw new AppError("INTERNAL", "locked proposal vanished");
    const event = await tx.execute(
      outboxInsert({ type: "Proposal.Updated", context: "proposals", table: proposals, rowId: proposalId, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") }),
    );
    return { row, items, events: eventsFrom(event) };
  });
}

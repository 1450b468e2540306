import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { computeTotals, exceedsMaxAmount, MAX_AMOUNT, type LineAmounts } from "../../core/proposals/totals.ts";
import { proposalLineItems, proposals } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { eventsFrom, outboxInsert, writtenByThisTransaction } from "../../db/outbox.ts";
import { findPgError } from "../http/error-handler.ts";
import { AppError } from "../http/problem.ts";
import { unitOfWork, writeBatch } from "../services.ts";
import { lineInput } from "./proposal-schema.ts";
import { notUpdated } from "./update-proposal.ts";

type ProposalRow = typeof proposals.$inferSelect;
type LineItemRow = typeof proposalLineItems.$inferSelect;

export interface ItemChange {
  /** The lines after the change, given the current ones. */
  apply: (current: LineItemRow[]) => { keep: LineItemRow[]; add?: Omit<typeof proposalLineItems.$inferInsert, "subtotal" | "discount" | "taxableBase" | "tax" | "total"> };
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
  const auth = c.get("auth");
  const mine = and(eq(proposals.tenantId, auth.tenantId), eq(proposals.id, proposalId));
  const itemsOf = and(eq(proposalLineItems.tenantId, auth.tenantId), eq(proposalLineItems.proposalId, proposalId));
  for (let attempt = 1; ; attempt++) {
    const [found, current] = await unitOfWork(c).batch((db) => [
      db.select().from(proposals).where(mine),
      db.select().from(proposalLineItems).where(itemsOf).orderBy(asc(proposalLineItems.position)),
    ]);
    const read = found[0];
    if (!read) throw new AppError("NOT_FOUND", "proposal not found");
    if (read.status !== "draft" || (expected !== undefined && read.version !== expected)) throw notUpdated(read.status, read.version, expected);

    const { keep, add } = change.apply(current);
    const inputs = keep.map((l) => lineInput({ quantity: l.quantity, unitPrice: l.unitPrice, discountPercent: l.discountPercent, taxRate: l.taxRate }));
    if (add) inputs.push(lineInput({ quantity: add.quantity, unitPrice: add.unitPrice, discountPercent: add.discountPercent ?? null, taxRate: add.taxRate ?? null }));
    const { lines, totals } = computeTotals(inputs);
    if (exceedsMaxAmount(totals)) {
      throw new AppError("UNPROCESSABLE", `the proposal total would exceed the maximum (${MAX_AMOUNT})`, { errors: [{ path: "body", message: "total máximo excedido" }] });
    }
    const removed = current.filter((l) => !keep.includes(l)).map((l) => l.id);

    try {
      const [updated, , , event, items] = await writeBatch(c, { resourcePath: `/v1/proposals/${proposalId}`, status }, (db) => [
        db
          .update(proposals)
          .set({ ...totals, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
          .where(and(mine, eq(proposals.version, read.version), eq(proposals.status, "draft")))
          .returning(),
        db.execute(sql`select app_assert(exists (select 1 from proposals t where t.id = ${proposalId}::uuid and ${writtenByThisTransaction}), 'the proposal changed while its items were being updated')`),
        add
          ? db.insert(proposalLineItems).values({ ...add, ...(lines[lines.length - 1] as LineAmounts) })
          : db.delete(proposalLineItems).where(and(itemsOf, inArray(proposalLineItems.id, removed.length ? removed : [proposalId]))),
        db.execute(
          outboxInsert({
            type: "Proposal.Updated",
            context: "proposals",
            table: proposals,
            tenantId: auth.tenantId,
            userId: auth.userId,
            correlationId: c.get("requestId"),
            where: sql`t.id = ${proposalId}::uuid and ${writtenByThisTransaction}`,
          }),
        ),
        db.select().from(proposalLineItems).where(itemsOf).orderBy(asc(proposalLineItems.position)),
      ]);
      const row = updated[0];
      if (!row) throw new AppError("INTERNAL", "guarded update returned no row");
      return { row, items, events: eventsFrom(event) };
    } catch (err) {
      if (findPgError(err)?.code === "ZT409" && attempt < ATTEMPTS) continue;
      throw err;
    }
  }
}

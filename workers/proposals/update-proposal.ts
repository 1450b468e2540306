import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { computeTotals } from "../../core/proposals/totals.ts";
import { customers, leads, proposalLineItems, proposals } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion, preconditionFailed } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { unitOfWork } from "../services.ts";
import { PROPOSAL_REFERENCE_FIELDS } from "./create-proposal.ts";
import { IdParamSchema } from "../http/params.ts";
import { insertLineItems } from "./line-items-sql.ts";
import { lineInput, lineRecords, ProposalPatchSchema, ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { tenantReference } from "../../db/tenant-reference.ts";
import { referenceError } from "../http/reference-error.ts";
import { writtenByThisTransaction } from "../../db/outbox.ts";
import { publish } from "../events/publish.ts";

const route = createRoute({
  method: "patch",
  path: "/v1/proposals/{id}",
  tags: ["Proposals"],
  summary: "Update a draft proposal",
  description:
    "Only drafts are editable (409 otherwise). `items`, when present, replaces the whole set of line items and the totals are " +
    "recomputed in the same transaction. `exchangeRate` is sent together with `currency`. `If-Match` (an ETag from this API) " +
    "makes the update conditional (412 when the proposal changed).",
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    headers: z.object({ "if-match": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: ProposalPatchSchema } } },
  },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: ProposalWithItemsSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 412, 422),
  },
});

export function registerUpdateProposal(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const expected = ifMatchVersion(c.req.header("if-match"));
    const auth = c.get("auth");

    const set: PgUpdateSetSource<typeof proposals> = { updatedAt: sql`now()`, version: sql`${proposals.version} + 1` };
    if (input.title !== undefined) set.title = input.title;
    if (input.leadId !== undefined) set.leadId = tenantReference(leads, input.leadId, auth.tenantId);
    if (input.customerId !== undefined) set.customerId = tenantReference(customers, input.customerId, auth.tenantId);
    if (input.currency !== undefined) {
      set.currency = input.currency;
      set.exchangeRate = input.currency === "MXN" ? "1" : input.exchangeRate;
    }
    if (input.validUntil !== undefined) set.validUntil = input.validUntil;
    if (input.notes !== undefined) set.notes = input.notes;
    if (input.terms !== undefined) set.terms = input.terms;
    let records: ReturnType<typeof lineRecords> | undefined;
    if (input.items !== undefined) {
      const { lines, totals } = computeTotals(input.items.map(lineInput));
      Object.assign(set, totals);
      records = lineRecords(input.items, lines);
    }

    const guard: SQL[] = [eq(proposals.tenantId, auth.tenantId), eq(proposals.id, id), eq(proposals.status, "draft")];
    if (expected !== undefined) guard.push(eq(proposals.version, expected));
    // Item statements run only when the guarded update above them wrote the proposal.
    const updatedHere = sql`exists (select 1 from proposals t where t.id = ${id}::uuid and ${writtenByThisTransaction})`;

    try {
      const [updated, , , event, rows, items] = await unitOfWork(c).batch((db) => [
        db.update(proposals).set(set).where(and(...guard)).returning({ id: proposals.id }),
        records ? db.execute(sql`delete from proposal_line_items where proposal_id = ${id}::uuid and ${updatedHere}`) : db.execute(sql`select 1`),
        records ? db.execute(insertLineItems(auth.tenantId, id, records, updatedHere)) : db.execute(sql`select 1`),
        db.execute(
          outboxInsert({
            type: "Proposal.Updated",
            context: "proposals",
            table: proposals,
            tenantId: auth.tenantId,
            where: sql`t.id = ${id}::uuid and ${writtenByThisTransaction}`,
            userId: auth.userId,
            correlationId: c.get("requestId"),
          }),
        ),
        db.select().from(proposals).where(and(eq(proposals.tenantId, auth.tenantId), eq(proposals.id, id))),
        db.select().from(proposalLineItems).where(and(eq(proposalLineItems.tenantId, auth.tenantId), eq(proposalLineItems.proposalId, id))),
      ]);
      const row = rows[0];
      if (!row) throw new AppError("NOT_FOUND", "proposal not found");
      if (updated.length === 0) throw notUpdated(row.status, row.version, expected);
      publish(c, eventsFrom(event));
      return c.json(toProposalWithItems(row, items), 200, { etag: etagOf(row.version) });
    } catch (err) {
      throw referenceError(err, PROPOSAL_REFERENCE_FIELDS) ?? err;
    }
  });
}

/** Why a guarded write to an existing draft-only proposal did not happen: 409 (not a draft) or 412 (stale ETag). */
export function notUpdated(status: string, version: number, expected: number | undefined): AppError {
  if (status !== "draft") {
    return new AppError("CONFLICT", `only draft proposals can be changed; this one is ${status}`, { extensions: { status } });
  }
  if (expected !== undefined && version !== expected) {
    return preconditionFailed(version);
  }
  return new AppError("CONFLICT", "the proposal changed concurrently; retry", { extensions: { status } });
}

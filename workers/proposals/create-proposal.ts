import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { computeTotals } from "../../core/proposals/totals.ts";
import {
  getProposal,
  insertLineItems,
  insertNumberedProposal,
  lineRecords,
  PROPOSAL_REFERENCE_FIELDS,
  proposalEvent,
} from "../../db/proposals/proposal-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import { lineInput, ProposalCreateSchema, ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { referenceError } from "../http/reference-error.ts";
import { publish } from "../events/publish.ts";

const route = createRoute({
  method: "post",
  path: "/v1/proposals",
  tags: ["Proposals"],
  summary: "Create a proposal (draft)",
  description:
    "Numbers are `COT-{year}-{NNNNN}`, consecutive without gaps per tenant and year (the year in the tenant's time zone). " +
    "Line amounts and totals are computed by the server (per-line rounding half up to cents); amounts are decimal strings. " +
    "`leadId`/`customerId` must exist in this tenant (422 otherwise). Supports `Idempotency-Key`.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: ProposalCreateSchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: ProposalWithItemsSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 422),
  },
});

export function registerCreateProposal(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const actor = actorOf(c);
    const id = crypto.randomUUID();
    const items = input.items ?? [];
    const { lines, totals } = computeTotals(items.map(lineInput));
    const currency = input.currency ?? "MXN";
    const exchangeRate = currency === "MXN" ? "1" : (input.exchangeRate ?? "1");
    try {
      const [, itemRows, events, rows] = await writeRun(c, { resourcePath: `/v1/proposals/${id}`, status: 201 }, [
        insertNumberedProposal(actor, {
          id,
          title: input.title,
          leadId: input.leadId,
          customerId: input.customerId,
          currency,
          exchangeRate,
          validUntil: input.validUntil,
          notes: input.notes,
          terms: input.terms,
          totals,
        }),
        insertLineItems(actor.tenantId, id, lineRecords(items, lines)),
        proposalEvent(actor, "Proposal.Created", id),
        getProposal(actor.tenantId, id),
      ]);
      const row = rows[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      publish(c, events);
      return c.json(toProposalWithItems(row, itemRows), 201, {
        location: `/v1/proposals/${id}`,
        etag: etagOf(row.version),
      });
    } catch (err) {
      throw referenceError(err, PROPOSAL_REFERENCE_FIELDS) ?? err;
    }
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { computeTotals } from "../../core/proposals/totals.ts";
import {
  getProposal,
  lineRecords,
  listLineItems,
  PROPOSAL_REFERENCE_FIELDS,
  proposalChangedEvent,
  replaceLineItems,
  updateDraftProposal,
  type ProposalChanges,
} from "../../db/proposals/proposal-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { notUpdated } from "./proposal-errors.ts";
import { lineInput, ProposalPatchSchema, ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { referenceError } from "../http/reference-error.ts";
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
    const actor = actorOf(c);

    const { items: itemsInput, currency, exchangeRate, ...fields } = input;
    const changes: ProposalChanges = fields;
    if (currency !== undefined) {
      changes.currency = currency;
      changes.exchangeRate = currency === "MXN" ? "1" : exchangeRate;
    }
    let records: ReturnType<typeof lineRecords> | undefined;
    if (itemsInput !== undefined) {
      const { lines, totals } = computeTotals(itemsInput.map(lineInput));
      changes.totals = totals;
      records = lineRecords(itemsInput, lines);
    }

    try {
      // With `items`, the lines are replaced (only if the guarded update passed) and the response
      // takes them from that statement; without, they are read as they are.
      const [updated, events, rows, items] = await writeRun(c, { resourcePath: `/v1/proposals/${id}`, status: 200 }, [
        updateDraftProposal(actor.tenantId, id, changes, expected),
        proposalChangedEvent(actor, "Proposal.Updated", id),
        getProposal(actor.tenantId, id),
        records ? replaceLineItems(actor.tenantId, id, records) : listLineItems(actor.tenantId, id),
      ]);
      const row = rows[0];
      if (!row) throw new AppError("NOT_FOUND", "proposal not found");
      if (updated.length === 0) throw notUpdated(row.status, row.version, expected);
      publish(c, events);
      return c.json(toProposalWithItems(row, items), 200, { etag: etagOf(row.version) });
    } catch (err) {
      throw referenceError(err, PROPOSAL_REFERENCE_FIELDS) ?? err;
    }
  });
}

import { IdParamSchema } from "../http/params.ts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getProposal, listLineItems } from "../../db/proposals/proposal-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/proposals/{id}",
  tags: ["Proposals"],
  summary: "Get a proposal with its line items",
  description: "The `ETag` header is the proposal's version, for `If-Match` on PATCH.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The proposal", content: { "application/json": { schema: ProposalWithItemsSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetProposal(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const tenantId = c.get("auth").tenantId;
    const [rows, items] = await readRun(c, [getProposal(tenantId, id), listLineItems(tenantId, id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "proposal not found");
    return c.json(toProposalWithItems(row, items), 200, { etag: etagOf(row.version) });
  });
}

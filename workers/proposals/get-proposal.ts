import { IdParamSchema } from "../http/params.ts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { proposalLineItems, proposals } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { unitOfWork } from "../services.ts";
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
    const [rows, items] = await unitOfWork(c).batch((db) => [
      db.select().from(proposals).where(and(eq(proposals.tenantId, tenantId), eq(proposals.id, id))),
      db.select().from(proposalLineItems).where(and(eq(proposalLineItems.tenantId, tenantId), eq(proposalLineItems.proposalId, id))),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "proposal not found");
    return c.json(toProposalWithItems(row, items), 200, { etag: etagOf(row.version) });
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  getProposal,
  listLineItems,
  proposalChangedEvent,
  revokeProposalLink,
} from "../../db/proposals/proposal-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { actorOf, readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { publish } from "../events/publish.ts";

const route = createRoute({
  method: "post",
  path: "/v1/proposals/{id}/revoke-link",
  tags: ["Proposals"],
  summary: "Revoke the public link (manager or admin)",
  description: "The link stops working (the public page answers 410). 409 when there is no active link.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: { params: IdParamSchema },
  responses: {
    200: { description: "Revoked", content: { "application/json": { schema: ProposalWithItemsSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerRevokeProposalLink(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const actor = actorOf(c);
    const [updated, events, rows, items] = await readRun(c, [
      revokeProposalLink(actor.tenantId, id),
      proposalChangedEvent(actor, "Proposal.Updated", id),
      getProposal(actor.tenantId, id),
      listLineItems(actor.tenantId, id),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "proposal not found");
    if (updated.length === 0)
      throw new AppError(
        "CONFLICT",
        row.publicTokenRevokedAt ? "the link is already revoked" : "the proposal has no public link (send it first)",
      );
    publish(c, events);
    return c.json(toProposalWithItems(row, items), 200, { etag: etagOf(row.version) });
  });
}

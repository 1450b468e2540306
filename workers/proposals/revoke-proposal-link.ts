import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { proposalLineItems, proposals } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { requireRole } from "../middleware/require-role.ts";
import { unitOfWork } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { writtenByThisTransaction } from "../../db/outbox.ts";
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
    const auth = c.get("auth");
    const mine = and(eq(proposals.tenantId, auth.tenantId), eq(proposals.id, id));
    const [updated, event, rows, items] = await unitOfWork(c).batch((db) => [
      db
        .update(proposals)
        .set({ publicTokenRevokedAt: sql`now()`, updatedAt: sql`now()`, version: sql`${proposals.version} + 1` })
        .where(and(mine, isNotNull(proposals.publicTokenHash), isNull(proposals.publicTokenRevokedAt)))
        .returning({ id: proposals.id }),
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
      db.select().from(proposals).where(mine),
      db.select().from(proposalLineItems).where(and(eq(proposalLineItems.tenantId, auth.tenantId), eq(proposalLineItems.proposalId, id))),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "proposal not found");
    if (updated.length === 0) throw new AppError("CONFLICT", row.publicTokenRevokedAt ? "the link is already revoked" : "the proposal has no public link (send it first)");
    publish(c, eventsFrom(event));
    return c.json(toProposalWithItems(row, items), 200, { etag: etagOf(row.version) });
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { proposalLineItems, proposals } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert, publish } from "../events/outbox.ts";
import { unitOfWork } from "../services.ts";
import { IdParamSchema } from "./get-proposal.ts";
import { ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { newPublicToken, publicLinkUrl } from "./public-link.ts";
import { writtenByThisTransaction } from "../events/outbox.ts";
import { notUpdated } from "./update-proposal.ts";

const SentSchema = z
  .object({
    url: z.url().openapi({ example: "https://crm.zuclubit.mx/p/3q2-7wZ…" }),
    token: z.string().openapi({ description: "Shown once: only its SHA-256 is stored, it cannot be retrieved later" }),
    proposal: ProposalWithItemsSchema,
  })
  .openapi("ProposalSent");

const route = createRoute({
  method: "post",
  path: "/v1/proposals/{id}/send",
  tags: ["Proposals"],
  summary: "Send a draft: issue its public link",
  description:
    "draft → sent. Returns the public link (`/p/{token}`) ONCE: only a hash of the token is stored, so it cannot be shown again. " +
    "Sending again is 409. A proposal without line items cannot be sent (422). `If-Match` is honoured. " +
    "`Idempotency-Key` is not stored for this route (the response holds a secret); a repeated send is a 409.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema, headers: z.object({ "if-match": z.string().optional() }) },
  responses: {
    200: { description: "Sent", content: { "application/json": { schema: SentSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 412, 422),
  },
});

export function registerSendProposal(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const expected = ifMatchVersion(c.req.header("if-match"));
    const auth = c.get("auth");
    const { token, hash } = await newPublicToken();
    const mine = and(eq(proposals.tenantId, auth.tenantId), eq(proposals.id, id));
    const guard: (SQL | undefined)[] = [mine, eq(proposals.status, "draft"), sql`exists (select 1 from proposal_line_items i where i.proposal_id = ${id}::uuid)`];
    if (expected !== undefined) guard.push(eq(proposals.version, expected));

    // Not writeBatch: an idempotency record would keep the response body, i.e. the raw token.
    const [updated, event, rows, items] = await unitOfWork(c).batch((db) => [
      db
        .update(proposals)
        .set({
          status: "sent",
          sentAt: sql`now()`,
          publicTokenHash: hash,
          publicTokenCreatedAt: sql`now()`,
          publicTokenRevokedAt: null,
          updatedAt: sql`now()`,
          version: sql`${proposals.version} + 1`,
        })
        .where(and(...guard))
        .returning({ id: proposals.id }),
      db.execute(
        outboxInsert({
          type: "Proposal.Sent",
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
    if (updated.length === 0) {
      if (row.status === "draft" && items.length === 0) throw new AppError("UNPROCESSABLE", "add at least one line item before sending", { errors: [{ path: "items", message: "sin partidas" }] });
      throw notUpdated(row.status, row.version, expected);
    }
    publish(c, eventsFrom(event));
    const url = publicLinkUrl(c.get("config").PUBLIC_BASE_URL, c.req.url, token);
    return c.json({ url, token, proposal: toProposalWithItems(row, items) }, 200, { etag: etagOf(row.version), "cache-control": "no-store" });
  });
}

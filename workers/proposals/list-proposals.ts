import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, gte, ilike, lt, or, type SQL } from "drizzle-orm";
import { PROPOSAL_STATUSES } from "../../core/proposals/proposal-status.ts";
import { proposals } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { unitOfWork } from "../services.ts";
import { ProposalSchema, toProposal } from "./proposal-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  status: z.enum(PROPOSAL_STATUSES).optional(),
  leadId: z.uuid().optional(),
  customerId: z.uuid().optional(),
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "Search in number and title" }),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  sort: z.string().optional().openapi({ description: "created, -created (default), updated, -updated" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/proposals",
  tags: ["Proposals"],
  summary: "List proposals",
  description: "Without line items (GET one proposal for those).",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: { description: "A page of proposals", content: { "application/json": { schema: pageSchema(ProposalSchema, "ProposalPage") } } },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListProposals(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const column = sort.field === "updated" ? proposals.updatedAt : proposals.createdAt;
    const { where: after, orderBy } = keyset(sort, column, proposals.id, query.cursor);
    const filters: (SQL | undefined)[] = [eq(proposals.tenantId, c.get("auth").tenantId), after];
    if (query.status) filters.push(eq(proposals.status, query.status));
    if (query.leadId) filters.push(eq(proposals.leadId, query.leadId));
    if (query.customerId) filters.push(eq(proposals.customerId, query.customerId));
    if (query.q) filters.push(or(ilike(proposals.proposalNumber, likePattern(query.q)), ilike(proposals.title, likePattern(query.q))));
    if (query.createdFrom) filters.push(gte(proposals.createdAt, query.createdFrom));
    if (query.createdTo) filters.push(lt(proposals.createdAt, query.createdTo));

    const [rows] = await unitOfWork(c).batch((db) => [
      db
        .select()
        .from(proposals)
        .where(and(...filters))
        .orderBy(...orderBy)
        .limit(query.limit + 1),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({ value: sort.field === "updated" ? r.updatedAt : r.createdAt, id: r.id }));
    return c.json({ data: result.data.map(toProposal), nextCursor: result.nextCursor }, 200);
  });
}

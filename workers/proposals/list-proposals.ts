import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { PROPOSAL_STATUSES } from "../../core/proposals/proposal-status.ts";
import { proposals } from "../../db/schema/crm.ts";
import { listProposals, proposalSortColumns } from "../../db/proposals/proposal-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { readRun } from "../services.ts";
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
    200: {
      description: "A page of proposals",
      content: { "application/json": { schema: pageSchema(ProposalSchema, "ProposalPage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListProposals(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const { where: after, orderBy } = keyset(
      sort,
      sort.field === "updated" ? proposalSortColumns.updated : proposalSortColumns.created,
      proposals.id,
      query.cursor,
    );
    const filter = {
      status: query.status,
      leadId: query.leadId,
      customerId: query.customerId,
      q: query.q ? likePattern(query.q) : undefined,
      createdFrom: query.createdFrom,
      createdTo: query.createdTo,
    };
    const [rows] = await readRun(c, [
      listProposals(c.get("auth").tenantId, filter, { after, orderBy, limit: query.limit + 1 }),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : r.createdAt,
      id: r.id,
    }));
    return c.json({ data: result.data.map(toProposal), nextCursor: result.nextCursor }, 200);
  });
}

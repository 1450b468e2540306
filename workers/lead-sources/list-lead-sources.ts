import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { readRun } from "../services.ts";
import { leadSources } from "../../db/schema/crm.ts";
import { leadSourceSortColumns, listLeadSources } from "../../db/lead-sources/lead-source-store.ts";
import { LeadSourceSchema, toLeadSource } from "./lead-source-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "Search in the name" }),
  isActive: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "Only active (true) or inactive (false) sources" }),
  sort: z.string().optional().openapi({ description: "created, -created (default), updated, -updated" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/lead-sources",
  tags: ["Lead sources"],
  summary: "List lead sources",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of lead sources",
      content: { "application/json": { schema: pageSchema(LeadSourceSchema, "LeadSourcePage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListLeadSources(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const column = sort.field === "updated" ? leadSourceSortColumns.updated : leadSourceSortColumns.created;
    const { where: after, orderBy } = keyset(sort, column, leadSources.id, query.cursor);
    const filter = {
      q: query.q ? likePattern(query.q) : undefined,
      isActive: query.isActive ? query.isActive === "true" : undefined,
    };
    const [rows] = await readRun(c, [
      listLeadSources(c.get("auth").tenantId, filter, { after, orderBy, limit: query.limit + 1 }),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : r.createdAt,
      id: r.id,
    }));
    return c.json({ data: result.data.map(toLeadSource), nextCursor: result.nextCursor }, 200);
  });
}

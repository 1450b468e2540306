import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, ilike, type SQL } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { unitOfWork } from "../services.ts";
import { leadSources } from "../../db/schema/crm.ts";
import { LeadSourceSchema, toLeadSource } from "./lead-source-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "Search in the name" }),
  isActive: z.enum(["true", "false"]).optional().openapi({ description: "Only active (true) or inactive (false) sources" }),
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
    200: { description: "A page of lead sources", content: { "application/json": { schema: pageSchema(LeadSourceSchema, "LeadSourcePage") } } },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListLeadSources(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const column = sort.field === "updated" ? leadSources.updatedAt : leadSources.createdAt;
    const { where: after, orderBy } = keyset(sort, column, leadSources.id, query.cursor);
    const filters: (SQL | undefined)[] = [eq(leadSources.tenantId, c.get("auth").tenantId), after];
    if (query.q) filters.push(ilike(leadSources.name, likePattern(query.q)));
    if (query.isActive) filters.push(eq(leadSources.isActive, query.isActive === "true"));

    const [rows] = await unitOfWork(c).batch((db) => [
      db
        .select()
        .from(leadSources)
        .where(and(...filters))
        .orderBy(...orderBy)
        .limit(query.limit + 1),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({ value: sort.field === "updated" ? r.updatedAt : r.createdAt, id: r.id }));
    return c.json({ data: result.data.map(toLeadSource), nextCursor: result.nextCursor }, 200);
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, gte, ilike, inArray, lt, lte, or, type SQL } from "drizzle-orm";
import { isLeadStatus, LEAD_STATUSES, type LeadStatus } from "../../core/leads/lead-status.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { unitOfWork } from "../services.ts";
import { leads } from "../../db/schema/crm.ts";
import { LeadSchema, toLead } from "./lead-schema.ts";

const Score = z.coerce.number().int().min(0).max(100);

const QuerySchema = ListQuerySchema.extend({
  status: z
    .string()
    .transform((v, ctx) => {
      const list = v.split(",").map((s) => s.trim());
      if (!list.every(isLeadStatus)) {
        ctx.addIssue({ code: "custom", message: `each status must be one of ${LEAD_STATUSES.join(", ")}` });
        return z.NEVER;
      }
      return list as LeadStatus[];
    })
    .optional()
    .openapi({ type: "string", example: "new,contacted", description: "One status or a comma-separated list" }),
  ownerId: z.uuid().optional(),
  sourceId: z.uuid().optional(),
  minScore: Score.optional(),
  maxScore: Score.optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "Search in title, company name, company RFC and industry" }),
  sort: z.string().optional().openapi({ description: "created, -created (default), updated, -updated, score, -score (leads without a score last)" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/leads",
  tags: ["Leads"],
  summary: "List leads",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: { description: "A page of leads", content: { "application/json": { schema: pageSchema(LeadSchema, "LeadPage") } } },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListLeads(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated", "score"], { field: "created", direction: "desc" });
    const column = sort.field === "updated" ? leads.updatedAt : sort.field === "score" ? leads.score : leads.createdAt;
    const { where: after, orderBy } = keyset(sort, column, leads.id, query.cursor);
    const filters: (SQL | undefined)[] = [eq(leads.tenantId, c.get("auth").tenantId), after];
    if (query.status) filters.push(inArray(leads.status, query.status));
    if (query.ownerId) filters.push(eq(leads.ownerId, query.ownerId));
    if (query.sourceId) filters.push(eq(leads.sourceId, query.sourceId));
    if (query.minScore !== undefined) filters.push(gte(leads.score, query.minScore));
    if (query.maxScore !== undefined) filters.push(lte(leads.score, query.maxScore));
    if (query.createdFrom) filters.push(gte(leads.createdAt, query.createdFrom));
    if (query.createdTo) filters.push(lt(leads.createdAt, query.createdTo));
    if (query.q) {
      const pattern = likePattern(query.q);
      filters.push(or(ilike(leads.title, pattern), ilike(leads.companyName, pattern), ilike(leads.companyRfc, pattern), ilike(leads.industry, pattern)));
    }

    const [rows] = await unitOfWork(c).batch((db) => [
      db
        .select()
        .from(leads)
        .where(and(...filters))
        .orderBy(...orderBy)
        .limit(query.limit + 1),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : sort.field === "score" ? r.score : r.createdAt,
      id: r.id,
    }));
    return c.json({ data: result.data.map(toLead), nextCursor: result.nextCursor }, 200);
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { isLeadStatus, LEAD_STATUSES, type LeadStatus } from "../../core/leads/lead-status.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { readRun } from "../services.ts";
import { leads } from "../../db/schema/crm.ts";
import { leadSortColumns, listLeads } from "../../db/leads/lead-store.ts";
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
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Search in title, company name, company RFC and industry" }),
  sort: z.string().optional().openapi({
    description: "created, -created (default), updated, -updated, score, -score (leads without a score last)",
  }),
});

const route = createRoute({
  method: "get",
  path: "/v1/leads",
  tags: ["Leads"],
  summary: "List leads",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of leads",
      content: { "application/json": { schema: pageSchema(LeadSchema, "LeadPage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListLeads(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated", "score"], { field: "created", direction: "desc" });
    const column =
      sort.field === "updated"
        ? leadSortColumns.updated
        : sort.field === "score"
          ? leadSortColumns.score
          : leadSortColumns.created;
    const { where: after, orderBy } = keyset(sort, column, leads.id, query.cursor);
    const filter = {
      statuses: query.status,
      ownerId: query.ownerId,
      sourceId: query.sourceId,
      minScore: query.minScore,
      maxScore: query.maxScore,
      createdFrom: query.createdFrom,
      createdTo: query.createdTo,
      q: query.q ? likePattern(query.q) : undefined,
    };
    const [rows] = await readRun(c, [
      listLeads(c.get("auth").tenantId, filter, { after, orderBy, limit: query.limit + 1 }),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : sort.field === "score" ? r.score : r.createdAt,
      id: r.id,
    }));
    return c.json({ data: result.data.map(toLead), nextCursor: result.nextCursor }, 200);
  });
}

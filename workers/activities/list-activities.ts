import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { ACTIVITY_TYPES, activities } from "../../db/schema/crm.ts";
import { activitySortColumns, listActivities } from "../../db/activities/activity-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { readRun } from "../services.ts";
import { ActivitySchema, toActivity } from "./activity-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  leadId: z.uuid().optional(),
  customerId: z.uuid().optional(),
  proposalId: z.uuid().optional(),
  userId: z.uuid().optional(),
  type: z.enum(ACTIVITY_TYPES).optional(),
  occurredFrom: z.iso.datetime({ offset: true }).optional(),
  occurredTo: z.iso.datetime({ offset: true }).optional(),
  sort: z.string().optional().openapi({ description: "occurred, -occurred (default), created, -created" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/activities",
  tags: ["Activities"],
  summary: "List activities (a record's timeline)",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of activities",
      content: { "application/json": { schema: pageSchema(ActivitySchema, "ActivityPage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListActivities(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["occurred", "created"], { field: "occurred", direction: "desc" });
    const column = sort.field === "occurred" ? activitySortColumns.occurred : activitySortColumns.created;
    const { where: after, orderBy } = keyset(sort, column, activities.id, query.cursor);
    const { leadId, customerId, proposalId, userId, type, occurredFrom, occurredTo } = query;
    const [rows] = await readRun(c, [
      listActivities(
        c.get("auth").tenantId,
        { leadId, customerId, proposalId, userId, type, occurredFrom, occurredTo },
        { after, orderBy, limit: query.limit + 1 },
      ),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "occurred" ? r.occurredAt : r.createdAt,
      id: r.id,
    }));
    return c.json({ data: result.data.map(toActivity), nextCursor: result.nextCursor }, 200);
  });
}

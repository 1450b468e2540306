import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { readRun } from "../services.ts";
import { customers } from "../../db/schema/crm.ts";
import { customerSortColumns, listCustomers } from "../../db/customers/customer-store.ts";
import { CustomerSchema, toCustomer } from "./customer-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "Search in razón social, RFC and email" }),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  sort: z.string().optional().openapi({ description: "created, -created (default), updated, -updated" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/customers",
  tags: ["Customers"],
  summary: "List customers",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of customers",
      content: { "application/json": { schema: pageSchema(CustomerSchema, "CustomerPage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListCustomers(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const column = sort.field === "updated" ? customerSortColumns.updated : customerSortColumns.created;
    const { where: after, orderBy } = keyset(sort, column, customers.id, query.cursor);
    const filter = {
      q: query.q ? likePattern(query.q) : undefined,
      createdFrom: query.createdFrom,
      createdTo: query.createdTo,
    };
    const [rows] = await readRun(c, [
      listCustomers(c.get("auth").tenantId, filter, { after, orderBy, limit: query.limit + 1 }),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : r.createdAt,
      id: r.id,
    }));
    return c.json({ data: result.data.map(toCustomer), nextCursor: result.nextCursor }, 200);
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { readRun } from "../services.ts";
import { contacts } from "../../db/schema/crm.ts";
import { contactSortColumns, listContacts } from "../../db/contacts/contact-store.ts";
import { ContactSchema, toContact } from "./contact-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "Search in name, company, email and phone" }),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  sort: z.string().optional().openapi({ description: "created, -created (default), updated, -updated" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/contacts",
  tags: ["Contacts"],
  summary: "List contacts",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of contacts",
      content: { "application/json": { schema: pageSchema(ContactSchema, "ContactPage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListContacts(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const { where: after, orderBy } = keyset(
      sort,
      sort.field === "updated" ? contactSortColumns.updated : contactSortColumns.created,
      contacts.id,
      query.cursor,
    );
    const q = query.q ? { pattern: likePattern(query.q), digits: query.q.replace(/\D/g, "") } : undefined;
    const [rows] = await readRun(c, [
      listContacts(
        c.get("auth").tenantId,
        { q, createdFrom: query.createdFrom, createdTo: query.createdTo },
        { after, orderBy, limit: query.limit + 1 },
      ),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : r.createdAt,
      id: r.id,
    }));
    return c.json({ data: result.data.map(toContact), nextCursor: result.nextCursor }, 200);
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, likePattern, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { unitOfWork } from "../services.ts";
import { contacts } from "../../db/schema/crm.ts";
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
    200: { description: "A page of contacts", content: { "application/json": { schema: pageSchema(ContactSchema, "ContactPage") } } },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListContacts(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const column = sort.field === "updated" ? contacts.updatedAt : contacts.createdAt;
    const { where: after, orderBy } = keyset(sort, column, contacts.id, query.cursor);
    const filters: (SQL | undefined)[] = [eq(contacts.tenantId, c.get("auth").tenantId), after];
    if (query.q) {
      const pattern = likePattern(query.q);
      const digits = query.q.replace(/\D/g, "");
      filters.push(
        or(
          ilike(sql`${contacts.firstName} || ' ' || coalesce(${contacts.lastName}, '')`, pattern),
          ilike(contacts.companyName, pattern),
          ilike(contacts.email, pattern),
          digits.length >= 4 ? ilike(contacts.phone, `%${digits}%`) : undefined,
        ),
      );
    }
    if (query.createdFrom) filters.push(gte(contacts.createdAt, query.createdFrom));
    if (query.createdTo) filters.push(lt(contacts.createdAt, query.createdTo));

    const [rows] = await unitOfWork(c).batch((db) => [
      db
        .select()
        .from(contacts)
        .where(and(...filters))
        .orderBy(...orderBy)
        .limit(query.limit + 1),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({ value: sort.field === "updated" ? r.updatedAt : r.createdAt, id: r.id }));
    return c.json({ data: result.data.map(toContact), nextCursor: result.nextCursor }, 200);
  });
}

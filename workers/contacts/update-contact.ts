import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { findPgError } from "../http/error-handler.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { writeBatch } from "../services.ts";
import { contacts } from "../../db/schema/crm.ts";
import { ContactInputSchema, ContactSchema, toContact } from "./contact-schema.ts";
import { IdParamSchema } from "../http/params.ts";
import { publish } from "../events/publish.ts";

const PatchSchema = ContactInputSchema.partial().refine((v) => Object.keys(v).length > 0, { message: "send at least one field" });

const route = createRoute({
  method: "patch",
  path: "/v1/contacts/{id}",
  tags: ["Contacts"],
  summary: "Update a contact",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: PatchSchema } } } },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: ContactSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerUpdateContact(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const auth = c.get("auth");
    try {
      const [updated, event] = await writeBatch(c, { resourcePath: `/v1/contacts/${id}`, status: 200 }, (db) => [
        db
          .update(contacts)
          .set({ ...input, updatedAt: sql`now()` })
          .where(and(eq(contacts.tenantId, auth.tenantId), eq(contacts.id, id)))
          .returning(),
        db.execute(
          outboxInsert({ type: "Contact.Updated", context: "contacts", table: contacts, rowId: id, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") }),
        ),
      ]);
      const row = updated[0];
      // No row: not found (or another tenant's): the outbox INSERT … SELECT wrote nothing either.
      if (!row) throw new AppError("NOT_FOUND", "contact not found");
      publish(c, eventsFrom(event));
      return c.json(toContact(row), 200);
    } catch (err) {
      const pg = findPgError(err);
      if (pg?.code === "23505" && pg.constraint?.startsWith("contacts_tenant_")) {
        const field = pg.constraint === "contacts_tenant_email_key" ? "email" : "phone";
        throw new AppError("CONFLICT", `another contact already has this ${field}`, { errors: [{ path: `body.${field}`, message: "duplicate" }] });
      }
      throw err;
    }
  });
}

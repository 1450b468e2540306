import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, or, sql } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { findPgError } from "../http/error-handler.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { unitOfWork, writeBatch } from "../services.ts";
import { contacts } from "../../db/schema/crm.ts";
import { ContactInputSchema, ContactSchema, toContact } from "./contact-schema.ts";
import { publish } from "../events/publish.ts";

const route = createRoute({
  method: "post",
  path: "/v1/contacts",
  tags: ["Contacts"],
  summary: "Create a contact",
  description:
    "Email is validated and lower-cased; phone is normalised to E.164. A contact with the same email or phone in this tenant is a 409 whose `existingId` names it. Supports `Idempotency-Key`.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: ContactInputSchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: ContactSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 422),
  },
});

export function registerCreateContact(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const auth = c.get("auth");
    const id = crypto.randomUUID();
    try {
      const [created, event] = await writeBatch(c, { resourcePath: `/v1/contacts/${id}`, status: 201 }, (db) => [
        db
          .insert(contacts)
          .values({
            id,
            tenantId: auth.tenantId,
            firstName: input.firstName,
            lastName: input.lastName ?? null,
            email: input.email ?? null,
            phone: input.phone ?? null,
            companyName: input.companyName ?? null,
            jobTitle: input.jobTitle ?? null,
            notes: input.notes ?? null,
            customFields: input.customFields ?? {},
            createdBy: auth.userId,
          })
          .returning(),
        db.execute(
          outboxInsert({ type: "Contact.Created", context: "contacts", table: contacts, rowId: id, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") }),
        ),
      ]);
      publish(c, eventsFrom(event));
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      return c.json(toContact(row), 201, { location: `/v1/contacts/${id}` });
    } catch (err) {
      const pg = findPgError(err);
      if (pg?.code === "23505" && (pg.constraint === "contacts_tenant_email_key" || pg.constraint === "contacts_tenant_phone_key")) {
        throw await duplicateContact(c, input.email ?? null, input.phone ?? null, pg.constraint);
      }
      throw err;
    }
  });
}

/** Second round trip, only on the conflict path: name the contact that already has the email/phone. */
async function duplicateContact(
  c: Parameters<typeof unitOfWork>[0],
  email: string | null,
  phone: string | null,
  constraint: string,
): Promise<AppError> {
  const [rows] = await unitOfWork(c).batch((db) => [
    db
      .select({ id: contacts.id })
      .from(contacts)
      .where(
        and(
          eq(contacts.tenantId, c.get("auth").tenantId),
          or(email ? sql`lower(${contacts.email}) = ${email}` : sql`false`, phone ? eq(contacts.phone, phone) : sql`false`),
        ),
      )
      .limit(1),
  ]);
  const field = constraint === "contacts_tenant_email_key" ? "email" : "phone";
  return new AppError("CONFLICT", `a contact with this ${field === "email" ? "email" : "phone"} already exists`, {
    extensions: { existingId: rows[0]?.id ?? null },
    errors: [{ path: `body.${field}`, message: "duplicate", code: "duplicate" }],
  });
}

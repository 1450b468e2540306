import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { HonoEnv } from "../context.ts";
import { findPgError } from "../http/error-handler.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { unitOfWork, writeBatch } from "../services.ts";
import type { Database } from "../../db/client.ts";
import { contacts, leads, leadSources } from "../../db/schema/crm.ts";
import { users } from "../../db/schema/tenants.ts";
import { tenantReference } from "../../db/tenant-reference.ts";
import { companyRfcProblem, LeadInputSchema, LeadSchema, missingReference, toLead } from "./lead-schema.ts";
import { publish } from "../events/publish.ts";

const route = createRoute({
  method: "post",
  path: "/v1/leads",
  tags: ["Leads"],
  summary: "Create a lead",
  description:
    "Status starts at `new`. The contact is an existing one (`contactId`) or created in the same transaction (`contact`; a duplicate email/phone is a 409 naming the existing contact in `existingId`). `ownerId` defaults to the caller and must be a user of this tenant; `sourceId` and `contactId` must belong to this tenant (422 otherwise). Writes `Lead.Created` (and `Contact.Created`). Supports `Idempotency-Key`.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: LeadInputSchema } } },
  },
  responses: {
    201: { description: "Created", headers: { ETag: { schema: { type: "string" } } }, content: { "application/json": { schema: LeadSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 422),
  },
});

type Input = z.infer<typeof LeadInputSchema>;

export function registerCreateLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const auth = c.get("auth");
    const invalid = companyRfcProblem(input.companyRfc);
    if (invalid) throw invalid;
    const id = crypto.randomUUID();
    const contactId = input.contact ? crypto.randomUUID() : input.contactId;
    const target = { resourcePath: `/v1/leads/${id}`, status: 201 };
    const ids = { id, contactId, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") };

    try {
      let created: (typeof leads.$inferSelect)[];
      const events = [];
      const newContact = input.contact;
      if (newContact && contactId) {
        const [, contactEvent, rows, leadEvent] = await writeBatch(c, target, (db) => [
          db.insert(contacts).values({
            id: contactId,
            tenantId: auth.tenantId,
            firstName: newContact.firstName,
            lastName: newContact.lastName ?? null,
            email: newContact.email ?? null,
            phone: newContact.phone ?? null,
            companyName: newContact.companyName ?? input.companyName ?? null,
            jobTitle: newContact.jobTitle ?? null,
            notes: newContact.notes ?? null,
            customFields: newContact.customFields ?? {},
            createdBy: auth.userId,
          }),
          db.execute(outboxInsert({ type: "Contact.Created", context: "contacts", table: contacts, rowId: contactId, tenantId: auth.tenantId, userId: auth.userId, correlationId: ids.correlationId })),
          ...leadStatements(db, input, ids, false),
        ]);
        created = rows;
        events.push(...eventsFrom(contactEvent, leadEvent));
      } else {
        const [rows, leadEvent] = await writeBatch(c, target, (db) => leadStatements(db, input, ids, true));
        created = rows;
        events.push(...eventsFrom(leadEvent));
      }
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      publish(c, events);
      return c.json(toLead(row), 201, { location: `/v1/leads/${id}`, etag: etagOf(row.version) });
    } catch (err) {
      const pg = findPgError(err);
      if (newContactConflict(pg?.code, pg?.constraint) && input.contact) {
        throw await duplicateContact(c, input.contact.email ?? null, input.contact.phone ?? null, pg?.constraint ?? "");
      }
      throw missingReference(err) ?? err;
    }
  });
}

function newContactConflict(code: string | undefined, constraint: string | undefined): boolean {
  return code === "23505" && (constraint === "contacts_tenant_email_key" || constraint === "contacts_tenant_phone_key");
}

function leadStatements(
  db: Database,
  input: Input,
  ids: { id: string; contactId: string | null | undefined; tenantId: string; userId: string; correlationId: string },
  checkContact: boolean,
) {
  const { tenantId } = ids;
  return [
    db
      .insert(leads)
      .values({
        id: ids.id,
        tenantId,
        title: input.title,
        // An inline contact was inserted just before in this batch; a given id must be this tenant's.
        contactId: ids.contactId ? (checkContact ? tenantReference(contacts, ids.contactId, tenantId) : ids.contactId) : null,
        sourceId: input.sourceId ? tenantReference(leadSources, input.sourceId, tenantId) : null,
        // The caller is provisioned in `users` by the unit of work's first statement.
        ownerId: tenantReference(users, input.ownerId ?? ids.userId, tenantId),
        companyName: input.companyName ?? null,
        companyRfc: input.companyRfc ?? null,
        industry: input.industry ?? null,
        estimatedValue: input.estimatedValue ?? null,
        currency: input.currency ?? "MXN",
        customFields: input.customFields ?? {},
        nextFollowUpAt: input.nextFollowUpAt ?? null,
      })
      .returning(),
    db.execute(outboxInsert({ type: "Lead.Created", context: "leads", table: leads, rowId: ids.id, tenantId, userId: ids.userId, correlationId: ids.correlationId })),
  ] as const;
}

/** Second round trip, only on the conflict path: name the contact that already has the email/phone. */
async function duplicateContact(c: Context<HonoEnv>, email: string | null, phone: string | null, constraint: string): Promise<AppError> {
  const [rows] = await unitOfWork(c).batch((db) => [
    db
      .select({ id: contacts.id })
      .from(contacts)
      .where(
        and(
          eq(contacts.tenantId, c.get("auth").tenantId),
          constraint === "contacts_tenant_email_key" ? sql`lower(${contacts.email}) = ${email}` : phone ? eq(contacts.phone, phone) : sql`false`,
        ),
      )
      .limit(1),
  ]);
  const field = constraint === "contacts_tenant_email_key" ? "email" : "phone";
  return new AppError("CONFLICT", `a contact with this ${field} already exists`, {
    extensions: { existingId: rows[0]?.id ?? null },
    errors: [{ path: `body.contact.${field}`, message: "duplicate", code: "duplicate" }],
  });
}

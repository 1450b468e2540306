import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { contactEvent, insertContact } from "../../db/contacts/contact-store.ts";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { insertLead, leadEvent, type LeadRow } from "../../db/leads/lead-store.ts";
import type { HonoEnv } from "../context.ts";
import { duplicateContactProblem } from "../contacts/duplicate-contact.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
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
    201: {
      description: "Created",
      headers: { ETag: { schema: { type: "string" } } },
      content: { "application/json": { schema: LeadSchema } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 422),
  },
});

export function registerCreateLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { contact, contactId: givenContactId, status: _status, score: _score, ...input } = c.req.valid("json");
    const actor = actorOf(c);
    const invalid = companyRfcProblem(input.companyRfc);
    if (invalid) throw invalid;
    const id = crypto.randomUUID();
    const target = { resourcePath: `/v1/leads/${id}`, status: 201 };

    try {
      let created: LeadRow[];
      let events: CloudEvent[];
      if (contact) {
        // The new contact is inserted first in the batch; the lead's reference to it resolves like any other.
        const contactId = crypto.randomUUID();
        const [, contactEvents, rows, leadEvents] = await writeRun(c, target, [
          insertContact(actor, { ...contact, id: contactId, companyName: contact.companyName ?? input.companyName }),
          contactEvent(actor, "Contact.Created", contactId),
          insertLead(actor, { ...input, id, contactId }),
          leadEvent(actor, "Lead.Created", id),
        ]);
        created = rows;
        events = [...contactEvents, ...leadEvents];
      } else {
        [created, events] = await writeRun(c, target, [
          insertLead(actor, { ...input, id, contactId: givenContactId }),
          leadEvent(actor, "Lead.Created", id),
        ]);
      }
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      publish(c, events);
      return c.json(toLead(row), 201, { location: `/v1/leads/${id}`, etag: etagOf(row.version) });
    } catch (err) {
      const duplicate = contact ? await duplicateContactProblem(c, err, contact, "body.contact") : undefined;
      throw duplicate ?? missingReference(err) ?? err;
    }
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { contactEvent, updateContact } from "../../db/contacts/contact-store.ts";
import type { HonoEnv } from "../context.ts";
import { publish } from "../events/publish.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import { ContactInputSchema, ContactSchema, toContact } from "./contact-schema.ts";
import { duplicateContactProblem } from "./duplicate-contact.ts";

const PatchSchema = ContactInputSchema.partial().refine((v) => Object.keys(v).length > 0, {
  message: "send at least one field",
});

const route = createRoute({
  method: "patch",
  path: "/v1/contacts/{id}",
  tags: ["Contacts"],
  summary: "Update a contact",
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    body: { required: true, content: { "application/json": { schema: PatchSchema } } },
  },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: ContactSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerUpdateContact(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const actor = actorOf(c);
    try {
      const [updated, events] = await writeRun(c, { resourcePath: `/v1/contacts/${id}`, status: 200 }, [
        updateContact(actor.tenantId, id, input),
        contactEvent(actor, "Contact.Updated", id),
      ]);
      const row = updated[0];
      // No row: not found (or another tenant's): the outbox INSERT … SELECT wrote nothing either.
      if (!row) throw new AppError("NOT_FOUND", "contact not found");
      publish(c, events);
      return c.json(toContact(row), 200);
    } catch (err) {
      throw (await duplicateContactProblem(c, err, input, "body")) ?? err;
    }
  });
}

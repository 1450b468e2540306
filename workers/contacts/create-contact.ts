import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { contactEvent, insertContact } from "../../db/contacts/contact-store.ts";
import type { HonoEnv } from "../context.ts";
import { publish } from "../events/publish.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import { ContactInputSchema, ContactSchema, toContact } from "./contact-schema.ts";
import { duplicateContactProblem } from "./duplicate-contact.ts";

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
    const actor = actorOf(c);
    const id = crypto.randomUUID();
    try {
      const [created, events] = await writeRun(c, { resourcePath: `/v1/contacts/${id}`, status: 201 }, [
        insertContact(actor, { ...input, id }),
        contactEvent(actor, "Contact.Created", id),
      ]);
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      publish(c, events);
      return c.json(toContact(row), 201, { location: `/v1/contacts/${id}` });
    } catch (err) {
      throw (await duplicateContactProblem(c, err, input, "body")) ?? err;
    }
  });
}

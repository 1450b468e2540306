import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerCreateContact } from "./create-contact.ts";
import { registerDeleteContact } from "./delete-contact.ts";
import { registerGetContact } from "./get-contact.ts";
import { registerListContacts } from "./list-contacts.ts";
import { registerUpdateContact } from "./update-contact.ts";

export function registerContactRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListContacts(app);
  registerCreateContact(app);
  registerGetContact(app);
  registerUpdateContact(app);
  registerDeleteContact(app);
}

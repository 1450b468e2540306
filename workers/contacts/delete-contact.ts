import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { unitOfWork } from "../services.ts";
import { contacts } from "../../db/schema/crm.ts";
import { IdParamSchema } from "../http/params.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/contacts/{id}",
  tags: ["Contacts"],
  summary: "Delete a contact (manager or admin)",
  description: "Leads and customers that referenced the contact keep their data and lose the link.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: { params: IdParamSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerDeleteContact(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [deleted] = await unitOfWork(c).batch((db) => [
      db.delete(contacts).where(and(eq(contacts.tenantId, c.get("auth").tenantId), eq(contacts.id, id))).returning({ id: contacts.id }),
    ]);
    if (deleted.length === 0) throw new AppError("NOT_FOUND", "contact not found");
    return c.body(null, 204);
  });
}

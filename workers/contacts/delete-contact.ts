import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { deleteContact } from "../../db/contacts/contact-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { readRun } from "../services.ts";

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
    const [deleted] = await readRun(c, [deleteContact(c.get("auth").tenantId, id)]);
    if (deleted.length === 0) throw new AppError("NOT_FOUND", "contact not found");
    return c.body(null, 204);
  });
}

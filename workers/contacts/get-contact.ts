import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getContact } from "../../db/contacts/contact-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { ContactSchema, toContact } from "./contact-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/contacts/{id}",
  tags: ["Contacts"],
  summary: "Get a contact",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The contact", content: { "application/json": { schema: ContactSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetContact(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [rows] = await readRun(c, [getContact(c.get("auth").tenantId, id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "contact not found");
    return c.json(toContact(row), 200);
  });
}

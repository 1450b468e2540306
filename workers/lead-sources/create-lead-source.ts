import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { insertLeadSource } from "../../db/lead-sources/lead-source-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import { duplicateName, LeadSourceInputSchema, LeadSourceSchema, toLeadSource } from "./lead-source-schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/lead-sources",
  tags: ["Lead sources"],
  summary: "Create a lead source",
  description: "Names are unique per tenant regardless of case (409 on a duplicate). Supports `Idempotency-Key`.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: LeadSourceInputSchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: LeadSourceSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 422),
  },
});

export function registerCreateLeadSource(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const id = crypto.randomUUID();
    try {
      const [created] = await writeRun(c, { resourcePath: `/v1/lead-sources/${id}`, status: 201 }, [
        insertLeadSource(actorOf(c), { ...input, id }),
      ]);
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      return c.json(toLeadSource(row), 201, { location: `/v1/lead-sources/${id}` });
    } catch (err) {
      throw duplicateName(err) ?? err;
    }
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { writeBatch } from "../services.ts";
import { leadSources } from "../../db/schema/crm.ts";
import { duplicateName } from "./create-lead-source.ts";
import { IdParamSchema } from "../http/params.ts";
import { LeadSourceInputSchema, LeadSourceSchema, toLeadSource } from "./lead-source-schema.ts";

const PatchSchema = LeadSourceInputSchema.partial().refine((v) => Object.keys(v).length > 0, { message: "send at least one field" });

const route = createRoute({
  method: "patch",
  path: "/v1/lead-sources/{id}",
  tags: ["Lead sources"],
  summary: "Update a lead source",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: PatchSchema } } } },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: LeadSourceSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerUpdateLeadSource(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const auth = c.get("auth");
    try {
      const [updated] = await writeBatch(c, { resourcePath: `/v1/lead-sources/${id}`, status: 200 }, (db) => [
        db
          .update(leadSources)
          .set({ ...input, updatedAt: sql`now()` })
          .where(and(eq(leadSources.tenantId, auth.tenantId), eq(leadSources.id, id)))
          .returning(),
      ]);
      const row = updated[0];
      if (!row) throw new AppError("NOT_FOUND", "lead source not found");
      return c.json(toLeadSource(row), 200);
    } catch (err) {
      throw duplicateName(err) ?? err;
    }
  });
}

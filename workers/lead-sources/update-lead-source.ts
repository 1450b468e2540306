import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { updateLeadSource } from "../../db/lead-sources/lead-source-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { writeRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { duplicateName, LeadSourceInputSchema, LeadSourceSchema, toLeadSource } from "./lead-source-schema.ts";

const PatchSchema = LeadSourceInputSchema.partial().refine((v) => Object.keys(v).length > 0, {
  message: "send at least one field",
});

const route = createRoute({
  method: "patch",
  path: "/v1/lead-sources/{id}",
  tags: ["Lead sources"],
  summary: "Update a lead source",
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    body: { required: true, content: { "application/json": { schema: PatchSchema } } },
  },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: LeadSourceSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerUpdateLeadSource(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    try {
      const [updated] = await writeRun(c, { resourcePath: `/v1/lead-sources/${id}`, status: 200 }, [
        updateLeadSource(c.get("auth").tenantId, id, input),
      ]);
      const row = updated[0];
      if (!row) throw new AppError("NOT_FOUND", "lead source not found");
      return c.json(toLeadSource(row), 200);
    } catch (err) {
      throw duplicateName(err) ?? err;
    }
  });
}

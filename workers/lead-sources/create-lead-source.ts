import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { findPgError } from "../http/error-handler.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { writeBatch } from "../services.ts";
import { leadSources } from "../../db/schema/crm.ts";
import { LeadSourceInputSchema, LeadSourceSchema, NAME_KEY, toLeadSource } from "./lead-source-schema.ts";

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

export function duplicateName(err: unknown): AppError | undefined {
  const pg = findPgError(err);
  if (pg?.code !== "23505" || pg.constraint !== NAME_KEY) return undefined;
  return new AppError("CONFLICT", "a lead source with this name already exists", {
    errors: [{ path: "body.name", message: "duplicate", code: "duplicate" }],
  });
}

export function registerCreateLeadSource(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const auth = c.get("auth");
    const id = crypto.randomUUID();
    try {
      const [created] = await writeBatch(c, { resourcePath: `/v1/lead-sources/${id}`, status: 201 }, (db) => [
        db
          .insert(leadSources)
          .values({ id, tenantId: auth.tenantId, name: input.name, description: input.description ?? null, isActive: input.isActive ?? true })
          .returning(),
      ]);
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      return c.json(toLeadSource(row), 201, { location: `/v1/lead-sources/${id}` });
    } catch (err) {
      throw duplicateName(err) ?? err;
    }
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { ROLES } from "../../core/auth/roles.ts";
import { PLANS } from "../../core/ratelimit/policies.ts";
import { getUserWithTenant } from "../../db/tenants/tenant-store.ts";

export const MeResponseSchema = z
  .object({
    user: z.object({
      id: z.uuid(),
      email: z.string().nullable(),
      fullName: z.string().nullable(),
      role: z.enum(ROLES),
      createdAt: z.string(),
    }),
    tenant: z.object({
      id: z.uuid(),
      slug: z.string().openapi({ example: "demo" }),
      name: z.string().openapi({ example: "Demo Comercial SA de CV" }),
      timezone: z.string().openapi({ example: "America/Mexico_City" }),
      currency: z.string().openapi({ example: "MXN" }),
    }),
    plan: z.enum(PLANS),
  })
  .openapi("Me");

export type MeResponse = z.infer<typeof MeResponseSchema>;

const route = createRoute({
  method: "get",
  path: "/v1/me",
  tags: ["Account"],
  summary: "The caller: user, tenant and plan",
  description:
    "Provisions the user in the token's tenant on first use. One database round trip. A token whose tenant does not exist or is suspended gets 403.",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: "The caller", content: { "application/json": { schema: MeResponseSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerGetMe(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const [rows] = await readRun(c, [getUserWithTenant(c.get("auth").userId)]);
    const row = rows[0];
    // app_begin_request provisioned the user in this transaction, so a missing row is a bug.
    if (!row) throw new AppError("INTERNAL", "caller was not provisioned");
    return c.json(
      {
        user: { id: row.userId, email: row.email, fullName: row.fullName, role: row.role, createdAt: row.createdAt },
        tenant: { id: row.tenantId, slug: row.slug, name: row.name, timezone: row.timezone, currency: row.currency },
        plan: row.plan,
      },
      200,
    );
  });
}

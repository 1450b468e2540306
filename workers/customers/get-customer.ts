import { IdParamSchema } from "../http/params.ts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { unitOfWork } from "../services.ts";
import { customers } from "../../db/schema/crm.ts";
import { CustomerSchema, toCustomer } from "./customer-schema.ts";


const route = createRoute({
  method: "get",
  path: "/v1/customers/{id}",
  tags: ["Customers"],
  summary: "Get a customer",
  description: "The `ETag` header is the version to send as `If-Match` on PATCH.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The customer", headers: { ETag: { schema: { type: "string" } } }, content: { "application/json": { schema: CustomerSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetCustomer(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [rows] = await unitOfWork(c).batch((db) => [
      db.select().from(customers).where(and(eq(customers.tenantId, c.get("auth").tenantId), eq(customers.id, id))),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "customer not found");
    return c.json(toCustomer(row), 200, { etag: etagOf(row.version) });
  });
}

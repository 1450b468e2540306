import { IdParamSchema } from "../http/params.ts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getCustomer } from "../../db/customers/customer-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
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
    200: {
      description: "The customer",
      headers: { ETag: { schema: { type: "string" } } },
      content: { "application/json": { schema: CustomerSchema } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetCustomer(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [rows] = await readRun(c, [getCustomer(c.get("auth").tenantId, id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "customer not found");
    return c.json(toCustomer(row), 200, { etag: etagOf(row.version) });
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getInvoice } from "../../db/invoicing/invoice-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { InvoiceSchema, toInvoice } from "./invoice-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/invoices/{id}",
  tags: ["Invoicing"],
  summary: "Get an invoice",
  description: "One database round trip.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The invoice", content: { "application/json": { schema: InvoiceSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetInvoice(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const [rows] = await readRun(c, [getInvoice(c.get("auth").tenantId, c.req.valid("param").id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "invoice not found");
    return c.json(toInvoice(row), 200, { etag: etagOf(row.version) });
  });
}

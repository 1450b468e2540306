import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { deleteCustomer } from "../../db/customers/customer-store.ts";
import type { HonoEnv } from "../context.ts";
import { findPgError } from "../http/error-handler.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/customers/{id}",
  tags: ["Customers"],
  summary: "Delete a customer (manager or admin)",
  description:
    "A customer with CFDI invoices or MSI payment plans cannot be deleted (409): fiscal records must be kept.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: { params: IdParamSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerDeleteCustomer(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    try {
      const [deleted] = await readRun(c, [deleteCustomer(c.get("auth").tenantId, id)]);
      if (deleted.length === 0) throw new AppError("NOT_FOUND", "customer not found");
      return c.body(null, 204);
    } catch (err) {
      // ON DELETE RESTRICT from cfdi_invoices / msi_payment_plans.
      if (findPgError(err)?.code === "23503")
        throw new AppError("CONFLICT", "the customer has invoices or payment plans and cannot be deleted", {
          cause: err,
        });
      throw err;
    }
  });
}

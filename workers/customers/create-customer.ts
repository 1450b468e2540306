import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { customerEvent, insertCustomer } from "../../db/customers/customer-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import {
  CustomerInputSchema,
  CustomerSchema,
  defaultUsoCfdi,
  fiscalProblem,
  missingContact,
  toCustomer,
} from "./customer-schema.ts";
import { publish } from "../events/publish.ts";

const route = createRoute({
  method: "post",
  path: "/v1/customers",
  tags: ["Customers"],
  summary: "Create a customer",
  description:
    "Fiscal data is checked with the CFDI 4.0 receptor rules (RFC format and embedded date, c_RegimenFiscal for the RFC's persona, 5-digit código postal, c_UsoCFDI for the persona and régimen); problems are a 422 with Spanish field `errors`. Supports `Idempotency-Key`.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: CustomerInputSchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: CustomerSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 422),
  },
});

export function registerCreateCustomer(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const actor = actorOf(c);
    const usoCfdi = input.usoCfdi ?? defaultUsoCfdi(input.rfc);
    const invalid = fiscalProblem({ ...input, usoCfdi });
    if (invalid) throw invalid;
    const id = crypto.randomUUID();
    try {
      const [created, events] = await writeRun(c, { resourcePath: `/v1/customers/${id}`, status: 201 }, [
        insertCustomer(actor, { ...input, id, usoCfdi }),
        customerEvent(actor, "Customer.Created", id),
      ]);
      publish(c, events);
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      return c.json(toCustomer(row), 201, { location: `/v1/customers/${id}`, etag: etagOf(row.version) });
    } catch (err) {
      throw missingContact(err) ?? err;
    }
  });
}

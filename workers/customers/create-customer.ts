import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { findPgError } from "../http/error-handler.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { writeBatch } from "../services.ts";
import { contacts, customers } from "../../db/schema/crm.ts";
import { tenantReference } from "../../db/tenant-reference.ts";
import { CustomerInputSchema, CustomerSchema, defaultUsoCfdi, fiscalProblem, toCustomer } from "./customer-schema.ts";
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

/** A 23503 from `tenantReference(contacts, …)`: the contact does not exist in this tenant. */
export function missingContact(err: unknown): AppError | undefined {
  const pg = findPgError(err);
  if (pg?.code !== "23503" || pg.constraint !== "customers_contact_id_contacts_id_fk") return undefined;
  return new AppError("UNPROCESSABLE", "contact not found", { errors: [{ path: "body.contactId", message: "not found", code: "not_found" }] });
}

export function registerCreateCustomer(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const auth = c.get("auth");
    const usoCfdi = input.usoCfdi ?? defaultUsoCfdi(input.rfc);
    const invalid = fiscalProblem({ ...input, usoCfdi });
    if (invalid) throw invalid;
    const id = crypto.randomUUID();
    try {
      const [created, event] = await writeBatch(c, { resourcePath: `/v1/customers/${id}`, status: 201 }, (db) => [
        db
          .insert(customers)
          .values({
            id,
            tenantId: auth.tenantId,
            contactId: input.contactId ? tenantReference(contacts, input.contactId, auth.tenantId) : null,
            rfc: input.rfc ?? null,
            razonSocial: input.razonSocial,
            regimenFiscal: input.regimenFiscal ?? null,
            codigoPostal: input.codigoPostal ?? null,
            usoCfdi,
            email: input.email ?? null,
            phone: input.phone ?? null,
            whatsappPhone: input.whatsappPhone ?? null,
            address: input.address ?? null,
          })
          .returning(),
        db.execute(
          outboxInsert({ type: "Customer.Created", context: "customers", table: customers, rowId: id, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") }),
        ),
      ]);
      publish(c, eventsFrom(event));
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      return c.json(toCustomer(row), 201, { location: `/v1/customers/${id}`, etag: etagOf(row.version) });
    } catch (err) {
      throw missingContact(err) ?? err;
    }
  });
}

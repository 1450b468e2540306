import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion, preconditionFailed } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom } from "../../db/outbox.ts";
import { unitOfWork, writeBatch } from "../services.ts";
import { contacts, customers } from "../../db/schema/crm.ts";
import { tenantReference } from "../../db/tenant-reference.ts";
import { writeWithEvent } from "../../db/outbox.ts";
import { missingContact } from "./create-customer.ts";
import { CustomerInputSchema, CustomerSchema, fiscalProblem, toCustomer } from "./customer-schema.ts";
import { IdParamSchema } from "../http/params.ts";
import { publish } from "../events/publish.ts";

const PatchSchema = CustomerInputSchema.partial().refine((v) => Object.keys(v).length > 0, { message: "send at least one field" });

const FISCAL_FIELDS = ["rfc", "regimenFiscal", "codigoPostal", "usoCfdi"] as const;

const route = createRoute({
  method: "patch",
  path: "/v1/customers/{id}",
  tags: ["Customers"],
  summary: "Update a customer",
  description:
    "Send `If-Match` with the ETag you read to update only that version (412 otherwise). Changing fiscal fields re-checks them together with the stored ones (422 with Spanish field errors); that check reads the customer first, so such a PATCH costs two database round trips instead of one.",
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    headers: z.object({ "if-match": z.string().optional().openapi({ example: '"v3"' }) }),
    body: { required: true, content: { "application/json": { schema: PatchSchema } } },
  },
  responses: {
    200: { description: "Updated", headers: { ETag: { schema: { type: "string" } } }, content: { "application/json": { schema: CustomerSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 412, 422),
  },
});

export function registerUpdateCustomer(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const auth = c.get("auth");
    const expected = ifMatchVersion(c.req.header("if-match"));
    const mine = and(eq(customers.tenantId, auth.tenantId), eq(customers.id, id));

    let guard = expected;
    if (FISCAL_FIELDS.some((f) => f in input)) {
      // Read-then-decide: the combination rules (régimen vs the RFC's persona, uso vs régimen) need
      // the stored values of the fields not sent. The write below is guarded by the version read.
      const [rows] = await unitOfWork(c).batch((db) => [db.select().from(customers).where(mine)]);
      const current = rows[0];
      if (!current) throw new AppError("NOT_FOUND", "customer not found");
      if (expected !== undefined && current.version !== expected) throw preconditionFailed(current.version);
      const invalid = fiscalProblem({
        rfc: "rfc" in input ? input.rfc : current.rfc,
        regimenFiscal: "regimenFiscal" in input ? input.regimenFiscal : current.regimenFiscal,
        codigoPostal: "codigoPostal" in input ? input.codigoPostal : current.codigoPostal,
        usoCfdi: input.usoCfdi ?? current.usoCfdi,
      });
      if (invalid) throw invalid;
      guard = current.version;
    }

    const { contactId, ...fields } = input;
    const set: PgUpdateSetSource<typeof customers> = { ...fields, version: sql`${customers.version} + 1`, updatedAt: sql`now()` };
    if (contactId !== undefined) set.contactId = contactId === null ? null : tenantReference(contacts, contactId, auth.tenantId);
    const where: SQL | undefined = guard === undefined ? mine : and(mine, eq(customers.version, guard));

    try {
      const [event, rows] = await writeBatch(c, { resourcePath: `/v1/customers/${id}`, status: 200 }, (db) => [
        db.execute(
          writeWithEvent(db.update(customers).set(set).where(where).returning(), {
            type: "Customer.Updated",
            context: "customers",
            rowId: id,
            tenantId: auth.tenantId,
            userId: auth.userId,
            correlationId: c.get("requestId"),
          }),
        ),
        db.select().from(customers).where(mine),
      ]);
      const events = eventsFrom(event);
      const row = rows[0];
      if (!row) throw new AppError("NOT_FOUND", "customer not found");
      if (events.length === 0) {
        if (expected !== undefined) throw preconditionFailed(row.version);
        throw new AppError("CONFLICT", "the customer changed while it was being updated; retry the request");
      }
      publish(c, events);
      return c.json(toCustomer(row), 200, { etag: etagOf(row.version) });
    } catch (err) {
      throw missingContact(err) ?? err;
    }
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { getCustomer, updateCustomer } from "../../db/customers/customer-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion, preconditionFailed } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, readRun, writeRun } from "../services.ts";
import { CustomerInputSchema, CustomerSchema, fiscalProblem, missingContact, toCustomer } from "./customer-schema.ts";
import { IdParamSchema } from "../http/params.ts";
import { publish } from "../events/publish.ts";

const PatchSchema = CustomerInputSchema.partial().refine((v) => Object.keys(v).length > 0, {
  message: "send at least one field",
});

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
    200: {
      description: "Updated",
      headers: { ETag: { schema: { type: "string" } } },
      content: { "application/json": { schema: CustomerSchema } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 412, 422),
  },
});

export function registerUpdateCustomer(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const actor = actorOf(c);
    const expected = ifMatchVersion(c.req.header("if-match"));

    let guard = expected;
    if (FISCAL_FIELDS.some((f) => f in input)) {
      // Read-then-decide: the combination rules (régimen vs the RFC's persona, uso vs régimen) need
      // the stored values of the fields not sent. The write below is guarded by the version read.
      const [rows] = await readRun(c, [getCustomer(actor.tenantId, id)]);
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

    try {
      const [events, rows] = await writeRun(c, { resourcePath: `/v1/customers/${id}`, status: 200 }, [
        updateCustomer(actor, id, input, guard),
        getCustomer(actor.tenantId, id),
      ]);
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

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom } from "../../db/outbox.ts";
import { writeBatch } from "../services.ts";
import { contacts, customers, leads } from "../../db/schema/crm.ts";
import { CustomerSchema, defaultUsoCfdi, FiscalInputSchema, fiscalProblem, toCustomer } from "../customers/customer-schema.ts";
import { writeWithEvent } from "../../db/outbox.ts";
import { IdParamSchema } from "../http/params.ts";
import { LeadSchema, toLead } from "./lead-schema.ts";
import { assertMoved, mineById, refusedTransition, runMove, sourcesOf, TRANSITION_ERRORS, transitionStatement } from "./lead-transition.ts";
import { publish } from "../events/publish.ts";

const BodySchema = FiscalInputSchema.partial().openapi({
  description: "Fiscal data for the new customer, all optional: razonSocial defaults to the lead's company name (then its contact's name, then its title); email to the contact's.",
});

const ResultSchema = z.object({ lead: LeadSchema, customer: CustomerSchema }).openapi("LeadConversion");

const route = createRoute({
  method: "post",
  path: "/v1/leads/{id}/convert",
  tags: ["Leads"],
  summary: "Convert a qualified lead into a customer",
  description: `Allowed from ${sourcesOf("converted").join(", ")}; otherwise 409 with \`allowedTransitions\`. Creates the customer (fiscal data checked like POST /v1/customers: 422 with Spanish field errors, nothing written), sets the lead's status, \`convertedCustomerId\` and \`convertedAt\`, and writes \`Lead.Converted\` then \`Customer.Created\`, all in one transaction. Supports \`Idempotency-Key\`.`,
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: false, content: { "application/json": { schema: BodySchema } } },
  },
  responses: {
    200: { description: "The converted lead and the new customer", content: { "application/json": { schema: ResultSchema } } },
    ...TRANSITION_ERRORS,
    ...problemResponses(422),
  },
});

export function registerConvertLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = (c.req.valid("json") as z.infer<typeof BodySchema> | undefined) ?? {};
    const auth = c.get("auth");
    const usoCfdi = input.usoCfdi ?? defaultUsoCfdi(input.rfc);
    const invalid = fiscalProblem({ ...input, usoCfdi });
    if (invalid) throw invalid;
    const customerId = crypto.randomUUID();

    // The customer row is inserted only if this batch's UPDATE converted the lead: its
    // converted_customer_id is the fresh id generated above, which nothing else can have set.
    const insertCustomer = sql`insert into ${customers} (id, tenant_id, lead_id, contact_id, rfc, razon_social, regimen_fiscal, codigo_postal, uso_cfdi, email, phone, whatsapp_phone)
      select ${customerId}::uuid, l.tenant_id, l.id, l.contact_id, ${input.rfc ?? null},
             coalesce(${input.razonSocial ?? null}, l.company_name, nullif(trim(ct.first_name || ' ' || coalesce(ct.last_name, '')), ''), l.title),
             ${input.regimenFiscal ?? null}, ${input.codigoPostal ?? null}, ${usoCfdi},
             coalesce(${input.email ?? null}, ct.email), ct.phone, ${input.whatsappPhone ?? null}
      from ${leads} l left join ${contacts} ct on ct.id = l.contact_id
      where l.id = ${id}::uuid and l.tenant_id = ${auth.tenantId}::uuid and l.converted_customer_id = ${customerId}::uuid
      returning *`;

    const [leadEvent, , customerEvent, leadRows, customerRows] = await runMove(id, "converted", () =>
      writeBatch(c, { resourcePath: `/v1/leads/${id}`, status: 200 }, (db) => [
        db.execute(
          transitionStatement(db, c, { id, to: "converted", event: "Lead.Converted", set: { convertedCustomerId: customerId, convertedAt: sql`now()` } }),
        ),
        db.execute(assertMoved(id)),
        db.execute(
          writeWithEvent(insertCustomer, { type: "Customer.Created", context: "customers", rowId: customerId, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") }),
        ),
        db.select().from(leads).where(mineById(c, id)),
        db.select().from(customers).where(and(eq(customers.tenantId, auth.tenantId), eq(customers.id, customerId))),
      ]),
    );
    const events = eventsFrom(leadEvent, customerEvent);
    const lead = leadRows[0];
    const customer = customerRows[0];
    if (!lead) throw refusedTransition(lead, "converted");
    if (!customer) throw new AppError("INTERNAL", "conversion created no customer");
    publish(c, events);
    return c.json({ lead: toLead(lead), customer: toCustomer(customer) }, 200, { etag: etagOf(lead.version) });
  });
}

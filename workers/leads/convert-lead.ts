import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import { getCustomer, insertCustomerFromLead } from "../../db/customers/customer-store.ts";
import { getLead } from "../../db/leads/lead-store.ts";
import {
  CustomerSchema,
  defaultUsoCfdi,
  FiscalInputSchema,
  fiscalProblem,
  toCustomer,
} from "../customers/customer-schema.ts";
import { IdParamSchema } from "../http/params.ts";
import { LeadSchema, toLead } from "./lead-schema.ts";
import { moveStatements, refusedTransition, runMove, sourcesOf, TRANSITION_ERRORS } from "./lead-transition.ts";
import { publish } from "../events/publish.ts";

const BodySchema = FiscalInputSchema.partial().openapi({
  description:
    "Fiscal data for the new customer, all optional: razonSocial defaults to the lead's company name (then its contact's name, then its title); email to the contact's.",
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
    200: {
      description: "The converted lead and the new customer",
      content: { "application/json": { schema: ResultSchema } },
    },
    ...TRANSITION_ERRORS,
    ...problemResponses(422),
  },
});

export function registerConvertLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = (c.req.valid("json") as z.infer<typeof BodySchema> | undefined) ?? {};
    const actor = actorOf(c);
    const usoCfdi = input.usoCfdi ?? defaultUsoCfdi(input.rfc);
    const invalid = fiscalProblem({ ...input, usoCfdi });
    if (invalid) throw invalid;
    const customerId = crypto.randomUUID();

    const [leadEvents, , customerEvents, leadRows, customerRows] = await runMove("converted", () =>
      writeRun(c, { resourcePath: `/v1/leads/${id}`, status: 200 }, [
        ...moveStatements(actor, { id, to: "converted", event: "Lead.Converted", convertedCustomerId: customerId }),
        insertCustomerFromLead(actor, id, { ...input, id: customerId, usoCfdi }),
        getLead(actor.tenantId, id),
        getCustomer(actor.tenantId, customerId),
      ]),
    );
    const lead = leadRows[0];
    const customer = customerRows[0];
    if (!lead) throw refusedTransition(lead, "converted");
    if (!customer) throw new AppError("INTERNAL", "conversion created no customer");
    publish(c, [...leadEvents, ...customerEvents]);
    return c.json({ lead: toLead(lead), customer: toCustomer(customer) }, 200, { etag: etagOf(lead.version) });
  });
}

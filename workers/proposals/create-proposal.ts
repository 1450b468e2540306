import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { computeTotals } from "../../core/proposals/totals.ts";
import { customers, leads, proposalLineItems, proposals } from "../../db/schema/crm.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom, outboxInsert } from "../../db/outbox.ts";
import { writeBatch } from "../services.ts";
import { insertLineItems } from "./line-items-sql.ts";
import { lineInput, lineRecords, ProposalCreateSchema, ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { tenantReference } from "../../db/tenant-reference.ts";
import { referenceError } from "../http/reference-error.ts";
import { publish } from "../events/publish.ts";

export const PROPOSAL_REFERENCE_FIELDS = {
  proposals_lead_id_leads_id_fk: "leadId",
  proposals_customer_id_customers_id_fk: "customerId",
};

const route = createRoute({
  method: "post",
  path: "/v1/proposals",
  tags: ["Proposals"],
  summary: "Create a proposal (draft)",
  description:
    "Numbers are `COT-{year}-{NNNNN}`, consecutive without gaps per tenant and year (the year in the tenant's time zone). " +
    "Line amounts and totals are computed by the server (per-line rounding half up to cents); amounts are decimal strings. " +
    "`leadId`/`customerId` must exist in this tenant (422 otherwise). Supports `Idempotency-Key`.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: ProposalCreateSchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: ProposalWithItemsSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 422),
  },
});

export function registerCreateProposal(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const auth = c.get("auth");
    const id = crypto.randomUUID();
    const items = input.items ?? [];
    const { lines, totals } = computeTotals(items.map(lineInput));
    const currency = input.currency ?? "MXN";
    const exchangeRate = currency === "MXN" ? "1" : (input.exchangeRate ?? "1");
    try {
      const [, , event, rows, itemRows] = await writeBatch(c, { resourcePath: `/v1/proposals/${id}`, status: 201 }, (db) => [
        // Gap-free numbering: the per-tenant-and-year counter row is bumped by INSERT … ON CONFLICT
        // DO UPDATE, whose row lock serialises concurrent creations; it commits or rolls back with
        // the proposal, so a failed creation leaves no hole.
        db.execute(sql`with y as (
            select extract(year from now() at time zone coalesce((select timezone from tenants where id = ${auth.tenantId}::uuid), 'America/Mexico_City'))::int as value
          ), seq as (
            insert into proposal_number_sequences (tenant_id, year, last_value)
            select ${auth.tenantId}::uuid, y.value, 1 from y
            on conflict (tenant_id, year) do update set last_value = proposal_number_sequences.last_value + 1
            returning year, last_value
          )
          insert into proposals (id, tenant_id, proposal_number, number_year, number_seq, title, lead_id, customer_id, currency, exchange_rate,
                                 valid_until, notes, terms, subtotal, discount_total, tax_total, total, created_by)
          select ${id}::uuid, ${auth.tenantId}::uuid,
                 'COT-' || seq.year || '-' || lpad(seq.last_value::text, greatest(5, length(seq.last_value::text)), '0'),
                 seq.year, seq.last_value, ${input.title}, ${tenantReference(leads, input.leadId, auth.tenantId)}, ${tenantReference(customers, input.customerId, auth.tenantId)},
                 ${currency}, ${exchangeRate}::numeric, ${input.validUntil ?? null}::date, ${input.notes ?? null}, ${input.terms ?? null},
                 ${totals.subtotal}::numeric, ${totals.discountTotal}::numeric, ${totals.taxTotal}::numeric, ${totals.total}::numeric, ${auth.userId}::uuid
          from seq`),
        db.execute(insertLineItems(auth.tenantId, id, lineRecords(items, lines))),
        db.execute(
          outboxInsert({ type: "Proposal.Created", context: "proposals", table: proposals, rowId: id, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") }),
        ),
        db.select().from(proposals).where(eq(proposals.id, id)),
        db.select().from(proposalLineItems).where(eq(proposalLineItems.proposalId, id)),
      ]);
      const row = rows[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      publish(c, eventsFrom(event));
      return c.json(toProposalWithItems(row, itemRows), 201, { location: `/v1/proposals/${id}`, etag: etagOf(row.version) });
    } catch (err) {
      throw referenceError(err, PROPOSAL_REFERENCE_FIELDS) ?? err;
    }
  });
}

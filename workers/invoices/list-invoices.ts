import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { INVOICE_STATUSES } from "../../core/invoicing/invoice-status.ts";
import { cfdiInvoices } from "../../db/schema/billing.ts";
import { invoiceSortColumns, listInvoices } from "../../db/invoicing/invoice-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { readRun } from "../services.ts";
import { InvoiceSchema, toInvoice } from "./invoice-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  status: z.enum(INVOICE_STATUSES).optional(),
  customerId: z.uuid().optional(),
  proposalId: z.uuid().optional(),
  uuid: z.uuid().optional().openapi({ description: "Folio fiscal" }),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  type: z.enum(["I", "P"]).optional().openapi({ description: "I: invoices; P: recibos de pago" }),
  relatedTo: z.uuid().optional().openapi({ description: "Recibos de pago of the invoice with this UUID" }),
  sort: z.string().optional().openapi({ description: "created, -created (default), updated, -updated" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/invoices",
  tags: ["Invoicing"],
  summary: "List invoices",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of invoices",
      content: { "application/json": { schema: pageSchema(InvoiceSchema, "InvoicePage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListInvoices(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const { where: after, orderBy } = keyset(
      sort,
      sort.field === "updated" ? invoiceSortColumns.updated : invoiceSortColumns.created,
      cfdiInvoices.id,
      query.cursor,
    );
    const filter = {
      status: query.status,
      customerId: query.customerId,
      proposalId: query.proposalId,
      uuid: query.uuid,
      createdFrom: query.createdFrom,
      createdTo: query.createdTo,
      tipoComprobante: query.type,
      relatedUuid: query.relatedTo,
    };
    const [rows] = await readRun(c, [
      listInvoices(c.get("auth").tenantId, filter, { after, orderBy, limit: query.limit + 1 }),
    ]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : r.createdAt,
      id: r.id,
    }));
    return c.json({ data: result.data.map(toInvoice), nextCursor: result.nextCursor }, 200);
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { CANCEL_MOTIVOS } from "../../core/invoicing/invoice-status.ts";
import { cancelInvoice } from "../../platform/invoicing/cancellation.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { requireRole } from "../middleware/require-role.ts";
import { InvoiceSchema, toInvoice } from "./invoice-schema.ts";
import { problemOf, stampingContextOf } from "./stamping-context.ts";

// POST /v1/invoices/{id}/cancel (issue 13): platform/invoicing/cancellation.ts.

const CancelBody = z
  .object({
    motivo: z.enum(CANCEL_MOTIVOS).openapi({
      description:
        "SAT's reason: 01 con errores con relación (needs folioSustitucion), 02 con errores sin relación, 03 no se llevó a cabo la operación, 04 operación nominativa en factura global",
    }),
    folioSustitucion: z
      .uuid()
      .optional()
      .openapi({ description: "With motivo 01: the UUID of this account's stamped invoice that replaces this one" }),
  })
  .strict()
  .openapi("InvoiceCancellation");

const route = createRoute({
  method: "post",
  path: "/v1/invoices/{id}/cancel",
  tags: ["Invoicing"],
  summary: "Cancel a stamped invoice (manager+)",
  description: [
    "Asks SAT, through the PAC that stamped it and with the account's CSD, to cancel the invoice. 200 with the invoice: `cancelled` (emits CFDI.Cancelled), or `cancel_pending` when the receptor must accept — the server asks SAT every few minutes until it is final. A receptor's rejection puts it back to `stamped` with the reason in `error`.",
    "",
    "- Repeating the same cancellation answers with where it stands; another motivo for an invoice already in cancellation is a 409.",
    "- 409: not stamped, or the account has no CSD or PAC. 422: motivo 01 without a folioSustitucion of another stamped invoice of this account, or folioSustitucion with another motivo.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: {
    params: IdParamSchema,
    body: { required: true, content: { "application/json": { schema: CancelBody } } },
  },
  responses: {
    200: { description: "Cancelled or pending", content: { "application/json": { schema: InvoiceSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 422, 503),
  },
});

export function registerCancelInvoice(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const result = await cancelInvoice(stampingContextOf(c, { resourcePath: `/v1/invoices/${id}`, status: 200 }), id, {
      motivo: body.motivo,
      ...(body.folioSustitucion ? { folioSustitucion: body.folioSustitucion.toLowerCase() } : {}),
    });
    if (result.kind === "refused") throw problemOf(result.problem);
    const row = result.invoice;
    c.set("logFields", { ...c.get("logFields"), invoice: { id, status: row.status } });
    return c.json(toInvoice(row), 200, { etag: etagOf(row.version) });
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { stampInvoice } from "../../platform/invoicing/stamping.ts";
import { enqueueStamp } from "../../platform/invoicing/stamping-queue.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { InvoiceSchema, toInvoice } from "./invoice-schema.ts";
import { problemOf, stampingContextOf } from "./stamping-context.ts";

// POST /v1/invoices/{id}/stamp (issue 13): one stamping attempt (platform/invoicing/stamping.ts —
// seal with the tenant's CSD, stamp through its PAC, archive in R2, record). A PAC that does not
// answer is retried with backoff through the stamping queue: 202 with the invoice still `stamping`.

const route = createRoute({
  method: "post",
  path: "/v1/invoices/{id}/stamp",
  tags: ["Invoicing"],
  summary: "Stamp an invoice (seal with the CSD, stamp through the PAC)",
  description: [
    "Takes the serie's next folio, seals the CFDI with the account's CSD (Fecha: now, Mexico City), stamps it through the account's PAC, keeps the stamped XML in R2 (`GET /v1/invoices/{id}/xml`) and answers with the invoice: `stamped`, with `uuid` (folio fiscal).",
    "",
    "- Idempotent: a stamped invoice answers as it is, never stamped twice. A stamp that failed (`stamp_failed`, reason in `error`) can be retried and keeps its folio.",
    "- 409: `validation_failed` (create a new invoice once the data is fixed), already being stamped, cancelled, or the account has no CSD or PAC. 422: the CSD cannot seal it (expired, another RFC). 503: the PAC is not available.",
    "- 202: the PAC did not answer. The invoice stays `stamping` (reason in `error`) and is retried with backoff (30 s, 1, 2, 4 … min) by the stamping queue; the same sealed XML is sent again, so a stamp that did happen is recovered, never repeated.",
    "- A PAC's refusal (its code in `error.pacCode`) is a 422 and leaves the invoice `stamp_failed`.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "Stamped", content: { "application/json": { schema: InvoiceSchema } } },
    202: {
      description: "The PAC did not answer; retried automatically",
      content: { "application/json": { schema: InvoiceSchema } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 422, 503),
  },
});

export function registerStampInvoice(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await stampInvoice(stampingContextOf(c, { resourcePath: `/v1/invoices/${id}`, status: 200 }), id);
    switch (outcome.kind) {
      case "refused":
        throw problemOf(outcome.problem);
      case "failed":
        throw problemOf(outcome.problem);
      case "retry":
        c.executionCtx.waitUntil(
          enqueueStamp(
            c.env,
            c.get("logger"),
            { tenantId: c.get("auth").tenantId, invoiceId: id },
            outcome.delaySeconds,
          ),
        );
        c.set("logFields", { ...c.get("logFields"), invoice: { id, status: outcome.invoice.status, retry: true } });
        return c.json(toInvoice(outcome.invoice), 202, { etag: etagOf(outcome.invoice.version) });
      case "stamped": {
        const done = outcome.invoice;
        c.set("logFields", { ...c.get("logFields"), invoice: { id, status: done.status, uuid: done.uuid } });
        return c.json(toInvoice(done), 200, { etag: etagOf(done.version) });
      }
    }
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { attachmentDisposition } from "../../core/documents/download-link.ts";
import { getInvoice } from "../../db/invoicing/invoice-store.ts";
import { ensureCfdiPdf } from "../../r2/cfdi-archive.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";

const route = createRoute({
  method: "get",
  path: "/v1/invoices/{id}/pdf",
  tags: ["Invoicing"],
  summary: "The stamped CFDI's printed representation (PDF with the SAT QR code)",
  description:
    "Rendered from the archived XML on first request and kept in R2 beside it. A sandbox stamp prints SIN VALIDEZ FISCAL on top. 404 until the invoice is stamped.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: {
      description: "The PDF",
      content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetInvoicePdf(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const tenantId = c.get("auth").tenantId;
    const [rows] = await readRun(c, [getInvoice(tenantId, c.req.valid("param").id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "invoice not found");
    if (!row.xmlR2Key || !row.uuid || !row.fechaTimbrado)
      throw new AppError("NOT_FOUND", "la factura aún no está timbrada");
    const bucket = c.env.DOCUMENTS;
    if (!bucket) throw new Error("the DOCUMENTS R2 bucket is not bound");
    const headers = {
      "content-type": "application/pdf",
      "content-disposition": attachmentDisposition(
        `${row.serie ?? ""}${row.folio ?? ""}-${row.uuid.toUpperCase()}.pdf`,
      ),
      "cache-control": "private, max-age=3600, immutable",
    };
    const pdf = await ensureCfdiPdf(
      bucket,
      { tenantId, uuid: row.uuid, fechaTimbrado: row.fechaTimbrado },
      row.xmlR2Key,
    );
    if (pdf.rendered) return c.body(pdf.rendered, 200, headers);
    const stored = await bucket.get(pdf.key);
    if (!stored) throw new Error(`CFDI PDF ${pdf.key} vanished from R2`);
    return c.body(stored.body, 200, headers);
  });
}

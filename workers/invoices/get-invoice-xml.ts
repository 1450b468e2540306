import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { attachmentDisposition } from "../../core/documents/download-link.ts";
import { getInvoice } from "../../db/invoicing/invoice-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";

const route = createRoute({
  method: "get",
  path: "/v1/invoices/{id}/xml",
  tags: ["Invoicing"],
  summary: "The stamped CFDI XML, byte for byte as the PAC returned it",
  description: "From the R2 archive. 404 until the invoice is stamped.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The CFDI", content: { "application/xml": { schema: z.string() } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetInvoiceXml(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const [rows] = await readRun(c, [getInvoice(c.get("auth").tenantId, c.req.valid("param").id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "invoice not found");
    if (!row.xmlR2Key || !row.uuid) throw new AppError("NOT_FOUND", "la factura aún no está timbrada");
    const object = await c.env.DOCUMENTS?.get(row.xmlR2Key);
    if (!object) throw new Error(`stamped CFDI ${row.uuid} missing from R2 (${row.xmlR2Key})`);
    const name = `${row.serie ?? ""}${row.folio ?? ""}-${row.uuid}.xml`.replace(/^-/, "");
    return c.body(object.body, 200, {
      "content-type": "application/xml; charset=utf-8",
      "content-disposition": attachmentDisposition(name),
      "cache-control": "private, max-age=3600, immutable",
      etag: `"${row.uuid}"`,
    });
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { verifyCfdi } from "../../core/cfdi/index.ts";

const IssueSchema = z.object({ code: z.string(), message: z.string(), path: z.string() });

const VerifyReportSchema = z
  .object({
    valid: z.boolean().openapi({
      description: "True only when the document is CFDI 4.0, the Sello verifies and nothing is inconsistent",
    }),
    selloValid: z.boolean(),
    version: z.string().optional(),
    serie: z.string().optional(),
    folio: z.string().optional(),
    fecha: z.string().optional(),
    tipoDeComprobante: z.string().optional(),
    moneda: z.string().optional(),
    total: z.string().optional(),
    emisor: z.object({ rfc: z.string(), nombre: z.string() }).optional(),
    receptor: z.object({ rfc: z.string(), nombre: z.string() }).optional(),
    noCertificado: z.string().optional(),
    certificate: z.record(z.string(), z.string()).optional(),
    cadenaOriginal: z.string().optional(),
    timbre: z.record(z.string(), z.unknown()).optional().openapi({
      description: "TimbreFiscalDigital: UUID, FechaTimbrado, RfcProvCertif, NoCertificadoSAT, its cadena",
    }),
    errors: z.array(IssueSchema).openapi({ description: "Problems found, with Spanish messages and codes" }),
  })
  .openapi("CfdiVerifyReport");

const XML_TYPES = ["application/xml", "text/xml"];

export const VERIFY_CFDI_PATH = "/v1/cfdi/verify";

/**
 * The body limit of this route, in place of the app-wide MAX_BODY_BYTES: a CFDI with many
 * conceptos or a large addenda can pass 1 MiB, and the engine's own limits (core/cfdi/limits.ts)
 * keep the cost of any document linear in its size.
 */
export const VERIFY_CFDI_MAX_BODY_BYTES = 2 * 1024 * 1024;
export const VERIFY_CFDI_TOO_LARGE = `the CFDI to verify is larger than this endpoint's 2 MiB limit (${VERIFY_CFDI_MAX_BODY_BYTES} bytes)`;

const route = createRoute({
  method: "post",
  path: VERIFY_CFDI_PATH,
  tags: ["CFDI"],
  summary: "Verify any CFDI 4.0 (ours or anyone's)",
  description:
    "Recomputes the cadena original, checks the Sello against the embedded certificate, and reports RFC/serial/validity mismatches and the TimbreFiscalDigital when present. An invalid document is a 200 with `valid: false` and its errors (a document past the engine's limits on elements, attributes, namespaces, nesting, amount digits or certificate size included, each with its own code); a body that is not XML is a 4xx, and one over 2 MiB is a 413.",
  security: [{ bearerAuth: [] }],
  request: {
    body: {
      required: true,
      content: { "application/xml": { schema: z.string().openapi({ format: "xml" }) } },
    },
  },
  responses: {
    200: { description: "Verification report", content: { "application/json": { schema: VerifyReportSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 413, 415),
  },
});

export function registerVerifyCfdi(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!XML_TYPES.includes(type)) {
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", "send the CFDI as application/xml or text/xml");
    }
    const xml = await c.req.text();
    if (xml.trim().length === 0) throw new AppError("BAD_REQUEST", "the request body is empty");
    const report = await verifyCfdi(xml);
    c.set("logFields", { ...c.get("logFields"), cfdiValid: report.valid });
    return c.json(report as z.infer<typeof VerifyReportSchema>, 200);
  });
}

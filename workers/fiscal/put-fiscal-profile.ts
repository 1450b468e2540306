import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { fiscalProfileIssues } from "../../core/fiscal/fiscal-profile.ts";
import { getFiscalProfile, putFiscalProfile } from "../../db/fiscal/fiscal-profile-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion, preconditionFailed } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { writeRun } from "../services.ts";
import { FiscalProfileSchema, PutFiscalProfileSchema, toFiscalProfile } from "./fiscal-profile-schema.ts";

const route = createRoute({
  method: "put",
  path: "/v1/fiscal-profile",
  tags: ["Invoicing"],
  summary: "Set the account's issuer profile (admin)",
  description: [
    "RFC, razón social, régimen fiscal (c_RegimenFiscal, valid for a persona moral or física as the RFC says), lugar de expedición (código postal), default serie and next folio. Every problem comes back at once as a 422 naming its field, in Spanish.",
    "",
    "- `serie` and `nextFolio` left out keep their current values (no serie and folio 1 for a new profile): the folio counter moves only by issuing invoices or when given here.",
    "- With a CSD loaded, the RFC cannot change (409): the certificate belongs to one RFC, and every CFDI carries both.",
    "- `If-Match` (the ETag of GET) makes the write conditional: 412 if someone changed the profile since.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin")] as const,
  request: {
    headers: z.object({ "if-match": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: PutFiscalProfileSchema } } },
  },
  responses: {
    200: { description: "The profile", content: { "application/json": { schema: FiscalProfileSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 412, 422),
  },
});

export function registerPutFiscalProfile(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const tenantId = c.get("auth").tenantId;
    const ifVersion = ifMatchVersion(c.req.header("if-match")) ?? null;
    const fields = {
      rfc: input.rfc,
      razonSocial: input.razonSocial,
      regimenFiscal: input.regimenFiscal,
      lugarExpedicion: input.lugarExpedicion,
      ...(input.serie === undefined ? {} : { serie: input.serie }),
      ...(input.nextFolio === undefined ? {} : { nextFolio: input.nextFolio }),
    };
    const issues = fiscalProfileIssues(fields);
    if (issues.length > 0) {
      throw new AppError("UNPROCESSABLE", "el perfil fiscal no es válido", {
        errors: issues.map((i) => ({ path: `body.${i.path}`, message: i.message, code: i.code })),
      });
    }
    const [written, current] = await writeRun(c, { resourcePath: "/v1/fiscal-profile", status: 200 }, [
      putFiscalProfile(
        tenantId,
        {
          ...fields,
          ...(input.autoInvoiceOnAccept === undefined ? {} : { autoInvoiceOnAccept: input.autoInvoiceOnAccept }),
        },
        ifVersion,
      ),
      getFiscalProfile(tenantId),
    ]);
    const row = written[0];
    if (!row) {
      const now = current[0];
      if (now && ifVersion !== null && now.version !== ifVersion) throw preconditionFailed(now.version);
      throw new AppError(
        "CONFLICT",
        `Hay un CSD cargado para el RFC ${now?.rfc ?? ""}: el RFC del perfil no puede cambiar mientras lo esté.`,
      );
    }
    return c.json(toFiscalProfile(row), 200, { etag: etagOf(row.version) });
  });
}

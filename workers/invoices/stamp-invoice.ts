import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { buildSignedCfdi, fechaNow } from "../../core/cfdi/build.ts";
import { checkCertificateForInvoice } from "../../core/cfdi/csd.ts";
import { CfdiError, type Issue } from "../../core/cfdi/errors.ts";
import { loadSealedCsd } from "../../core/cfdi/key-envelope.ts";
import { getFiscalProfile } from "../../db/fiscal/fiscal-profile-store.ts";
import {
  claimStamp,
  getInvoice,
  recordStamp,
  recordStampFailure,
  type InvoiceRow,
} from "../../db/invoicing/invoice-store.ts";
import { archiveStampedXml } from "../../r2/cfdi-archive.ts";
import type { HonoEnv } from "../context.ts";
import { publish } from "../events/publish.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";
import { readRun, unitOfWork, writeRun } from "../services.ts";
import { encryptionSecret } from "../http/encryption-secret.ts";
import { InvoiceSchema, toInvoice } from "./invoice-schema.ts";
import { pacFor, type Stamp } from "./pac.ts";

// POST /v1/invoices/{id}/stamp (issue 13): seal with the tenant's CSD, stamp through its PAC,
// archive the stamped XML in R2, record the stamp. Round trips: the read (invoice + profile), the
// claim (status `stamping` + folio, with the Idempotency-Key), then the record (stamp + CFDI.Stamped
// event + the row) — three, plus the R2 write; the PAC call happens between claim and record.

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
    "- Only the sandbox PAC (stamps that say SIN VALIDEZ FISCAL) stamps in this version; Finkok and SW Sapien are refused with 503.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "Stamped", content: { "application/json": { schema: InvoiceSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 422, 503),
  },
});

function refusal(row: InvoiceRow): AppError | null {
  switch (row.status) {
    case "validation_failed":
      return new AppError("CONFLICT", "La factura no pasó la validación; corrige los datos y crea una nueva.", {
        extensions: { issues: row.issues },
      });
    case "stamping":
      return new AppError(
        "CONFLICT",
        "La factura se está timbrando en este momento; consulta su estado en unos segundos.",
      );
    case "cancel_pending":
    case "cancelled":
      return new AppError("CONFLICT", "La factura está cancelada (o en cancelación); no se puede timbrar.");
    default:
      return null;
  }
}

function sealIssues(issues: readonly Issue[]): AppError {
  return new AppError("UNPROCESSABLE", "el CFDI no se pudo sellar con el CSD de la cuenta", {
    errors: issues.map((i) => ({ path: i.path, message: i.message, code: i.code })),
  });
}

async function fail(c: Context<HonoEnv>, id: string, problem: AppError): Promise<never> {
  const { tenantId, userId } = c.get("auth");
  const error = { code: problem.code, detail: problem.message, errors: problem.errors ?? [] };
  const [, events] = await unitOfWork(c).run(recordStampFailure(tenantId, id, error, userId));
  publish(c, events);
  throw problem;
}

export function registerStampInvoice(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { tenantId, userId } = c.get("auth");
    const [invoices, profiles] = await readRun(c, [getInvoice(tenantId, id), getFiscalProfile(tenantId)]);
    const invoice = invoices[0];
    if (!invoice) throw new AppError("NOT_FOUND", "invoice not found");
    if (invoice.status === "stamped") return c.json(toInvoice(invoice), 200, { etag: etagOf(invoice.version) });
    const refused = refusal(invoice);
    if (refused) throw refused;
    const profile = profiles[0];
    if (!profile?.csdCertificate || !profile.csdKeyEnvelope)
      throw new AppError("CONFLICT", "La cuenta no tiene CSD cargado (POST /v1/fiscal-profile/csd).");
    if (!profile.pacProvider) throw new AppError("CONFLICT", "La cuenta no tiene PAC (PUT /v1/fiscal-profile/pac).");
    const stamper = await pacFor(c, profile.pacProvider);
    const secret = encryptionSecret(c.get("config"));

    const [, claimed] = await writeRun(
      c,
      { resourcePath: `/v1/invoices/${id}`, status: 200 },
      claimStamp(tenantId, id),
    );
    const row = claimed[0];
    if (!row)
      throw new AppError("CONFLICT", "La factura cambió de estado mientras se preparaba el timbrado; consúltala.");

    // From here the invoice is `stamping`: every way out records the outcome.
    const fecha = fechaNow();
    let sealedXml: string;
    try {
      const csd = await loadSealedCsd(profile.csdCertificate, profile.csdKeyEnvelope, secret);
      const issues = checkCertificateForInvoice(csd.certificate, profile.rfc, fecha);
      if (issues.length > 0) return await fail(c, id, sealIssues(issues));
      const input = { ...row.input, folio: row.folio ?? undefined, fecha };
      sealedXml = (await buildSignedCfdi(input, csd)).xml;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof CfdiError) return await fail(c, id, sealIssues(err.issues));
      return await fail(
        c,
        id,
        new AppError("SERVICE_UNAVAILABLE", "la llave del CSD no se pudo abrir (¿cambió ENCRYPTION_SECRET?)", {
          cause: err,
        }),
      );
    }
    let stamped: Stamp;
    try {
      stamped = await stamper(sealedXml);
    } catch (err) {
      return await fail(
        c,
        id,
        err instanceof AppError ? err : new AppError("SERVICE_UNAVAILABLE", "el PAC no respondió", { cause: err }),
      );
    }
    const bucket = c.env.DOCUMENTS;
    if (!bucket) throw new Error("the DOCUMENTS R2 bucket is not bound");
    const xmlR2Key = await archiveStampedXml(
      bucket,
      {
        tenantId,
        uuid: stamped.uuid,
        fechaTimbrado: stamped.fechaTimbrado,
        emisorRfc: profile.rfc,
        receptorRfc: row.receptorRfc ?? "",
        total: row.total,
        moneda: row.moneda,
      },
      stamped.xml,
    );
    const [events, after] = await unitOfWork(c).run(
      recordStamp(
        tenantId,
        id,
        {
          uuid: stamped.uuid,
          fecha,
          fechaTimbrado: stamped.fechaTimbrado,
          noCertificadoSat: stamped.noCertificadoSat,
          selloSat: stamped.selloSat,
          xmlR2Key,
          pacProvider: profile.pacProvider,
        },
        userId,
      ),
    );
    publish(c, events);
    const done = after[0]!;
    c.set("logFields", { ...c.get("logFields"), invoice: { id, status: done.status, uuid: done.uuid } });
    return c.json(toInvoice(done), 200, { etag: etagOf(done.version) });
  });
}

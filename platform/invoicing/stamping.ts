import { buildSignedCfdi, fechaNow } from "../../core/cfdi/build.ts";
import { checkCertificateForInvoice } from "../../core/cfdi/csd.ts";
import { CfdiError, type Issue } from "../../core/cfdi/errors.ts";
import { loadSealedCsd } from "../../core/cfdi/key-envelope.ts";
import { buildSignedPago } from "../../core/cfdi/pagos.ts";
import type { PagoComprobanteInput } from "../../core/cfdi/pagos-input.ts";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import type { Logger } from "../../core/logging/logger.ts";
import { PacError, type PacClient, type PacStamp } from "../../core/invoicing/pac-client.ts";
import { getFiscalProfile, type FiscalProfileRow } from "../../db/fiscal/fiscal-profile-store.ts";
import {
  claimStamp,
  getInvoice,
  recordStamp,
  recordStampFailure,
  recordStampRetry,
  saveSealed,
  type InvoiceRow,
} from "../../db/invoicing/invoice-store.ts";
import type { UnitOfWork } from "../../db/unit-of-work.ts";
import { archiveStampedXml } from "../../r2/cfdi-archive.ts";
import type { Config, Env } from "../env.ts";
import { isPacClient, pacClientFor } from "./pac-clients.ts";
import type { SQL } from "drizzle-orm";

// Stamping an invoice (issue 13), shared by POST /v1/invoices/{id}/stamp, the stamping queue
// (retries, auto-invoicing) and the sweep that picks up stuck invoices. One attempt:
//   read (invoice + profile) → claim (lease, attempt, folio) → seal, and keep the sealed XML —
//   or take the one an earlier attempt kept → PAC → archive in R2 → record stamp + CFDI.Stamped.
// Round trips: 4 for a first attempt (read, claim, keep sealed, record), 3 when the sealed XML is
// reused; plus the PAC call and the R2 write.
// A PAC that does not answer leaves the invoice `stamping` with its sealed XML and a lease until
// the retry is due; the retry sends the same bytes, so a stamp that did happen comes back as the
// PAC's "already stamped" answer and the invoice is never stamped twice.

/** Automatic attempts before an unanswered stamp becomes `stamp_failed` (about two hours of backoff). */
export const MAX_STAMP_ATTEMPTS = 8;

/** Backoff before attempt n + 1: 30 s, 1, 2, 4, 8, 16, 32 min, then hourly. */
export function stampRetryDelaySeconds(attempt: number): number {
  return Math.min(3_600, 30 * 2 ** Math.max(0, attempt - 1));
}

export interface StampProblem {
  code: "NOT_FOUND" | "CONFLICT" | "UNPROCESSABLE" | "SERVICE_UNAVAILABLE" | "ENCRYPTION_NOT_CONFIGURED";
  detail: string;
  errors?: { path: string; message: string; code?: string }[];
  extensions?: Record<string, unknown>;
  /** Another request or queue message holds the invoice right now: it will finish the stamp. */
  busy?: true;
}

export type StampOutcome =
  /** Stamped now, or found stamped. */
  | { kind: "stamped"; invoice: InvoiceRow }
  /** Not taken for stamping; nothing changed. */
  | { kind: "refused"; problem: StampProblem }
  /** `stamp_failed` now, with the reason (a PAC refusal, the CSD, attempts used up). */
  | { kind: "failed"; problem: StampProblem; invoice: InvoiceRow }
  /** The PAC did not answer: still `stamping`, held until the retry in `delaySeconds`. */
  | { kind: "retry"; problem: StampProblem; invoice: InvoiceRow; delaySeconds: number };

export interface StampingContext {
  config: Config;
  env: Env;
  /** The tenant's unit of work. */
  work: UnitOfWork;
  tenantId: string;
  userId: string | undefined;
  /** Hands committed events to the queue (after commit, off the response path). */
  publish: (events: CloudEvent[]) => void;
  logger: Logger;
  /** Statements committed with the claim (a request's Idempotency-Key). */
  claimPrefix?: SQL[];
  fetch?: typeof fetch;
}

function refusalOf(row: InvoiceRow): StampProblem | null {
  switch (row.status) {
    case "validation_failed":
      return {
        code: "CONFLICT",
        detail: "La factura no pasó la validación; corrige los datos y crea una nueva.",
        extensions: { issues: row.issues },
      };
    case "stamping":
      if (row.stampLeaseUntil && Date.parse(row.stampLeaseUntil) > Date.now())
        return {
          code: "CONFLICT",
          busy: true,
          detail: row.error
            ? "La factura está en espera de reintento con el PAC; se timbrará sola, consulta su estado."
            : "La factura se está timbrando en este momento; consulta su estado en unos segundos.",
        };
      return null;
    case "cancel_pending":
    case "cancelled":
      return { code: "CONFLICT", detail: "La factura está cancelada (o en cancelación); no se puede timbrar." };
    default:
      return null;
  }
}

function sealIssues(issues: readonly Issue[]): StampProblem {
  return {
    code: "UNPROCESSABLE",
    detail: "el CFDI no se pudo sellar con el CSD de la cuenta",
    errors: issues.map((i) => ({ path: i.path, message: i.message, code: i.code })),
  };
}

function errorRecord(problem: StampProblem, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code: problem.code, detail: problem.detail, errors: problem.errors ?? [], ...extra };
}

/** One attempt to stamp invoice `id`. Never throws for an outcome the caller can report. */
export async function stampInvoice(ctx: StampingContext, id: string): Promise<StampOutcome> {
  const { tenantId, work } = ctx;
  const [invoices, profiles] = await work.run([getInvoice(tenantId, id), getFiscalProfile(tenantId)]);
  const invoice = invoices[0];
  if (!invoice) return { kind: "refused", problem: { code: "NOT_FOUND", detail: "invoice not found" } };
  if (invoice.status === "stamped") return { kind: "stamped", invoice };
  const refused = refusalOf(invoice);
  if (refused) return { kind: "refused", problem: refused };
  const profile = profiles[0];
  if (!profile?.csdCertificate || !profile.csdKeyEnvelope)
    return {
      kind: "refused",
      problem: { code: "CONFLICT", detail: "La cuenta no tiene CSD cargado (POST /v1/fiscal-profile/csd)." },
    };
  const pac = await pacClientFor(ctx.config, profile, ctx.fetch);
  if (!isPacClient(pac)) return { kind: "refused", problem: pac };
  if (!ctx.config.ENCRYPTION_SECRET)
    return {
      kind: "refused",
      problem: {
        code: "ENCRYPTION_NOT_CONFIGURED",
        detail: "la llave del CSD no se puede abrir: falta el secreto ENCRYPTION_SECRET del Worker",
      },
    };

  const [, claimed] = await work.run(claimStamp(tenantId, id), ctx.claimPrefix);
  const row = claimed[0];
  if (!row)
    return {
      kind: "refused",
      problem: {
        code: "CONFLICT",
        busy: true,
        detail: "La factura cambió de estado mientras se preparaba el timbrado; consúltala.",
      },
    };
  // From here the invoice is `stamping` under our lease: every way out records the outcome.
  return attempt(ctx, pac, profile, row);
}

async function attempt(
  ctx: StampingContext,
  pac: PacClient,
  profile: FiscalProfileRow,
  row: InvoiceRow,
): Promise<StampOutcome> {
  const { tenantId, work } = ctx;
  let sealedXml = row.sealedXml;
  let fecha = row.fecha;
  if (!sealedXml || !fecha) {
    const sealed = await seal(ctx, profile, row);
    if ("problem" in sealed) return fail(ctx, row, sealed.problem, true);
    ({ xml: sealedXml, fecha } = sealed);
    await work.run([saveSealed(tenantId, row.id, sealedXml, fecha)]);
  }

  let stamp: PacStamp;
  try {
    stamp = await pac.stamp(sealedXml);
  } catch (err) {
    if (!(err instanceof PacError)) throw err;
    const problem: StampProblem = {
      // The account's credentials are the account's to fix (409); a refused CFDI is the document's (422).
      code:
        err.kind === "unavailable" ? "SERVICE_UNAVAILABLE" : err.kind === "credentials" ? "CONFLICT" : "UNPROCESSABLE",
      detail: err.message,
      ...(err.pacCode ? { extensions: { pacCode: err.pacCode } } : {}),
    };
    const record = { pac: pac.provider, kind: err.kind, ...(err.pacCode ? { pacCode: err.pacCode } : {}) };
    if (err.kind !== "unavailable") return fail(ctx, row, problem, err.kind === "rejected", record);
    ctx.logger.warn("PAC did not answer the stamp", {
      invoiceId: row.id,
      attempt: row.stampAttempts,
      pac: pac.provider,
    });
    if (row.stampAttempts >= MAX_STAMP_ATTEMPTS)
      return fail(
        ctx,
        row,
        { ...problem, detail: `${problem.detail} (sin respuesta tras ${row.stampAttempts} intentos)` },
        false,
        record,
      );
    const delaySeconds = stampRetryDelaySeconds(row.stampAttempts);
    const [, after] = await work.run(
      recordStampRetry(
        tenantId,
        row.id,
        errorRecord(problem, { ...record, retryInSeconds: delaySeconds }),
        delaySeconds,
      ),
    );
    return { kind: "retry", problem, invoice: after[0] ?? row, delaySeconds };
  }

  const bucket = ctx.env.DOCUMENTS;
  if (!bucket) throw new Error("the DOCUMENTS R2 bucket is not bound");
  // A failure here leaves the invoice `stamping` with its sealed XML: the sweep's retry recovers
  // the stamp from the PAC and archives it then.
  const xmlR2Key = await archiveStampedXml(
    bucket,
    {
      tenantId,
      uuid: stamp.uuid,
      fechaTimbrado: stamp.fechaTimbrado,
      emisorRfc: profile.rfc,
      receptorRfc: row.receptorRfc ?? "",
      total: row.total,
      moneda: row.moneda,
    },
    stamp.xml,
  );
  const [events, after] = await work.run(
    recordStamp(
      tenantId,
      row.id,
      {
        uuid: stamp.uuid,
        fecha,
        fechaTimbrado: stamp.fechaTimbrado,
        noCertificadoSat: stamp.noCertificadoSat,
        selloSat: stamp.selloSat,
        xmlR2Key,
        pacProvider: pac.provider,
      },
      ctx.userId,
    ),
  );
  ctx.publish(events);
  if (stamp.recovered)
    ctx.logger.info("recovered an earlier stamp from the PAC", { invoiceId: row.id, pac: pac.provider });
  const done = after[0];
  if (!done) throw new Error(`invoice ${row.id} vanished while it was being stamped`);
  return { kind: "stamped", invoice: done };
}

async function seal(
  ctx: StampingContext,
  profile: FiscalProfileRow,
  row: InvoiceRow,
): Promise<{ xml: string; fecha: string } | { problem: StampProblem }> {
  const fecha = fechaNow();
  try {
    const csd = await loadSealedCsd(profile.csdCertificate!, profile.csdKeyEnvelope!, ctx.config.ENCRYPTION_SECRET!);
    const issues = checkCertificateForInvoice(csd.certificate, profile.rfc, fecha);
    if (issues.length > 0) return { problem: sealIssues(issues) };
    if (row.tipoComprobante === "P") {
      // A recibo de pago (platform/invoicing/payment-receipt.ts): its input is the Pagos 2.0 model.
      const pago = { ...(row.input as unknown as PagoComprobanteInput), folio: row.folio ?? undefined, fecha };
      return { xml: (await buildSignedPago(pago, csd)).xml, fecha };
    }
    const input = { ...row.input, folio: row.folio ?? undefined, fecha };
    return { xml: (await buildSignedCfdi(input, csd)).xml, fecha };
  } catch (err) {
    if (err instanceof CfdiError) return { problem: sealIssues(err.issues) };
    ctx.logger.error("the CSD key could not be opened", { invoiceId: row.id }, err);
    return {
      problem: {
        code: "SERVICE_UNAVAILABLE",
        detail: "la llave del CSD no se pudo abrir (¿cambió ENCRYPTION_SECRET?)",
      },
    };
  }
}

async function fail(
  ctx: StampingContext,
  row: InvoiceRow,
  problem: StampProblem,
  forgetSealed: boolean,
  extra: Record<string, unknown> = {},
): Promise<StampOutcome> {
  const [, events, after] = await ctx.work.run(
    recordStampFailure(ctx.tenantId, row.id, errorRecord(problem, extra), ctx.userId, forgetSealed),
  );
  ctx.publish(events);
  return { kind: "failed", problem, invoice: after[0] ?? row };
}

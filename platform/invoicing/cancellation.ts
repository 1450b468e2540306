import { parseCertificate } from "../../core/cfdi/certificate.ts";
import { openSealedPrivateKey } from "../../core/cfdi/key-envelope.ts";
import type { CancelMotivo } from "../../core/invoicing/invoice-status.ts";
import { PacError, type CancelOutcome, type PacClient } from "../../core/invoicing/pac-client.ts";
import { getFiscalProfile, type FiscalProfileRow } from "../../db/fiscal/fiscal-profile-store.ts";
import {
  claimCancel,
  getInvoice,
  getInvoiceByUuid,
  recordCancelled,
  recordCancelPending,
  recordCancelRefused,
  type InvoiceRow,
} from "../../db/invoicing/invoice-store.ts";
import { isPacClient, pacClientFor } from "./pac-clients.ts";
import type { StampProblem, StampingContext } from "./stamping.ts";

// Cancelling a stamped invoice (issue 13): POST /v1/invoices/{id}/cancel asks SAT through the PAC
// that stamped it; `cancelled` at once, or `cancel_pending` while the receptor must accept, which
// the sweep follows (`followCancellation`) until SAT's status is final. Round trips for the request:
// the read (invoice, profile, substitute), the claim, the record — three, plus the PAC call.

export type CancelResult = { kind: "done"; invoice: InvoiceRow } | { kind: "refused"; problem: StampProblem };

function problem(
  code: StampProblem["code"],
  detail: string,
  path?: string,
): { kind: "refused"; problem: StampProblem } {
  return {
    kind: "refused",
    problem: {
      code,
      detail,
      ...(path ? { errors: [{ path, message: detail, code: code === "UNPROCESSABLE" ? "invalid" : code }] } : {}),
    },
  };
}

async function csdFor(ctx: StampingContext, profile: FiscalProfileRow) {
  const certificate = parseCertificate(profile.csdCertificate!);
  const privateKeyPkcs8 = await openSealedPrivateKey(
    profile.csdKeyEnvelope!,
    ctx.config.ENCRYPTION_SECRET!,
    certificate.noCertificado,
  );
  return { certificateDer: certificate.der, privateKeyPkcs8 };
}

/** The PAC that stamped `invoice` (cancellations go to it), or why it cannot be asked. */
async function pacOf(ctx: StampingContext, profile: FiscalProfileRow, invoice: InvoiceRow) {
  const provider = (invoice.pacProvider ?? profile.pacProvider) as FiscalProfileRow["pacProvider"];
  return pacClientFor(ctx.config, { ...profile, pacProvider: provider }, ctx.fetch);
}

function requestOf(profile: FiscalProfileRow, invoice: InvoiceRow) {
  return {
    uuid: invoice.uuid!,
    emisorRfc: profile.rfc,
    receptorRfc: invoice.receptorRfc ?? "",
    total: xmlTotal(invoice),
  };
}

/** The Total as the stamped XML wrote it: two decimals for MXN (the engine's rounding), as SAT's lookup expects. */
function xmlTotal(invoice: InvoiceRow): string {
  const [int, frac = ""] = invoice.total.split(".");
  return `${int}.${(frac + "00").slice(0, 2)}`;
}

export async function cancelInvoice(
  ctx: StampingContext,
  id: string,
  request: { motivo: CancelMotivo; folioSustitucion?: string },
): Promise<CancelResult> {
  const { tenantId, work } = ctx;
  const [invoices, profiles, substitutes] = await work.run([
    getInvoice(tenantId, id),
    getFiscalProfile(tenantId),
    getInvoiceByUuid(tenantId, request.folioSustitucion ?? "00000000-0000-0000-0000-000000000000"),
  ]);
  const invoice = invoices[0];
  if (!invoice) return problem("NOT_FOUND", "invoice not found");
  // Repeating a cancellation answers with where it stands, as long as it is the same one.
  if (invoice.status === "cancelled" || invoice.status === "cancel_pending") {
    if (
      invoice.cancelMotivo === request.motivo &&
      (invoice.cancelFolioSustitucion ?? undefined) === request.folioSustitucion
    )
      return { kind: "done", invoice };
    return problem(
      "CONFLICT",
      `La factura ya está ${invoice.status === "cancelled" ? "cancelada" : "en cancelación"} con el motivo ${invoice.cancelMotivo}.`,
    );
  }
  if (invoice.status !== "stamped")
    return problem("CONFLICT", `Solo se cancela una factura timbrada; esta está en estado ${invoice.status}.`);
  if (request.motivo === "01") {
    if (!request.folioSustitucion)
      return problem(
        "UNPROCESSABLE",
        "El motivo 01 requiere folioSustitucion: el UUID de la factura que sustituye a esta.",
        "body.folioSustitucion",
      );
    const substitute = substitutes[0];
    if (!substitute || substitute.status !== "stamped" || substitute.id === invoice.id)
      return problem(
        "UNPROCESSABLE",
        "folioSustitucion debe ser el UUID de otra factura timbrada (vigente) de esta cuenta.",
        "body.folioSustitucion",
      );
  } else if (request.folioSustitucion) {
    return problem("UNPROCESSABLE", "folioSustitucion solo se usa con el motivo 01.", "body.folioSustitucion");
  }
  const profile = profiles[0];
  if (!profile?.csdCertificate || !profile.csdKeyEnvelope)
    return problem("CONFLICT", "La cuenta no tiene CSD cargado (POST /v1/fiscal-profile/csd).");
  if (!ctx.config.ENCRYPTION_SECRET)
    return problem(
      "ENCRYPTION_NOT_CONFIGURED",
      "la llave del CSD no se puede abrir: falta el secreto ENCRYPTION_SECRET del Worker",
    );
  const pac = await pacOf(ctx, profile, invoice);
  if (!isPacClient(pac)) return { kind: "refused", problem: pac };

  const [claimed] = await work.run(
    [claimCancel(tenantId, id, request.motivo, request.folioSustitucion ?? null)],
    ctx.claimPrefix,
  );
  if (!claimed[0])
    return problem("CONFLICT", "La factura cambió de estado mientras se preparaba la cancelación; consúltala.");
  return { kind: "done", invoice: await askToCancel(ctx, pac, profile, claimed[0]) };
}

/** Sends the cancellation to the PAC and records what it said; the invoice is `cancel_pending`. */
async function askToCancel(
  ctx: StampingContext,
  pac: PacClient,
  profile: FiscalProfileRow,
  invoice: InvoiceRow,
): Promise<InvoiceRow> {
  let outcome: CancelOutcome;
  try {
    outcome = await pac.cancel({
      ...requestOf(profile, invoice),
      motivo: invoice.cancelMotivo as CancelMotivo,
      ...(invoice.cancelFolioSustitucion ? { folioSustitucion: invoice.cancelFolioSustitucion.toUpperCase() } : {}),
      csd: await csdFor(ctx, profile),
    });
  } catch (err) {
    if (!(err instanceof PacError)) throw err;
    const error = {
      code: err.kind,
      detail: err.message,
      pac: pac.provider,
      ...(err.pacCode ? { pacCode: err.pacCode } : {}),
    };
    if (err.kind === "unavailable") {
      // Unknown whether SAT got it: stays pending; the sweep asks SAT's status and sends it again if needed.
      const [, after] = await ctx.work.run(recordCancelPending(ctx.tenantId, invoice.id, null, error));
      return after[0] ?? invoice;
    }
    const [, after] = await ctx.work.run(recordCancelRefused(ctx.tenantId, invoice.id, error));
    return after[0] ?? invoice;
  }
  return record(ctx, invoice, outcome.status === "cancelled", outcome.acuse ?? null);
}

async function record(ctx: StampingContext, invoice: InvoiceRow, cancelled: boolean, acuse: string | null) {
  if (cancelled) {
    const [events, after] = await ctx.work.run(recordCancelled(ctx.tenantId, invoice.id, acuse, ctx.userId));
    ctx.publish(events);
    return after[0] ?? invoice;
  }
  const [, after] = await ctx.work.run(recordCancelPending(ctx.tenantId, invoice.id, acuse, null));
  return after[0] ?? invoice;
}

/**
 * The sweep's follow-up of a `cancel_pending` invoice: SAT's status through the PAC. Cancelado →
 * `cancelled`; a rejection by the receptor → back to `stamped` with the reason; still in process →
 * pending; never received (Vigente, nothing in process) → the request is sent again.
 */
export async function followCancellation(ctx: StampingContext, id: string): Promise<InvoiceRow | null> {
  const [invoices, profiles] = await ctx.work.run([getInvoice(ctx.tenantId, id), getFiscalProfile(ctx.tenantId)]);
  const invoice = invoices[0];
  const profile = profiles[0];
  if (!invoice || invoice.status !== "cancel_pending" || !profile) return invoice ?? null;
  const pac = await pacOf(ctx, profile, invoice);
  if (!isPacClient(pac)) {
    const [, after] = await ctx.work.run(
      recordCancelPending(ctx.tenantId, id, null, { code: pac.code, detail: pac.detail }),
    );
    return after[0] ?? invoice;
  }
  let status;
  try {
    status = await pac.status(requestOf(profile, invoice));
  } catch (err) {
    if (!(err instanceof PacError)) throw err;
    const [, after] = await ctx.work.run(
      recordCancelPending(ctx.tenantId, id, null, { code: err.kind, detail: err.message, pac: pac.provider }),
    );
    return after[0] ?? invoice;
  }
  if (status.estado === "Cancelado") return record(ctx, invoice, true, null);
  const estatus = (status.estatusCancelacion ?? "").toLowerCase();
  if (estatus.includes("rechazada"))
    return (
      (
        await ctx.work.run(
          recordCancelRefused(ctx.tenantId, id, {
            code: "CANCEL_REJECTED",
            detail: "El receptor rechazó la cancelación; la factura sigue vigente.",
            pac: pac.provider,
          }),
        )
      )[1][0] ?? invoice
    );
  if (
    estatus === "" &&
    status.estado === "Vigente" &&
    profile.csdCertificate &&
    profile.csdKeyEnvelope &&
    ctx.config.ENCRYPTION_SECRET
  )
    return askToCancel(ctx, pac, profile, invoice);
  return record(ctx, invoice, false, null);
}

import { z } from "@hono/zod-openapi";
import { CANCEL_MOTIVOS, INVOICE_STATUSES, type CancelMotivo } from "../../core/invoicing/invoice-status.ts";
import type { InvoiceRow } from "../../db/invoicing/invoice-store.ts";

const IssueSchema = z.object({ path: z.string(), code: z.string(), message: z.string() }).openapi("CfdiIssue");

export const InvoiceSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(INVOICE_STATUSES),
    type: z.string().openapi({ description: "TipoDeComprobante: I (ingreso) or P (recibo de pago)", example: "I" }),
    relatedUuid: z.string().nullable().openapi({ description: "A recibo de pago: the UUID of the invoice it pays" }),
    proposalId: z.uuid().nullable(),
    customerId: z.uuid().nullable(),
    serie: z.string().nullable(),
    folio: z.string().nullable().openapi({ description: "Assigned when the invoice is stamped" }),
    uuid: z.string().nullable().openapi({ description: "Folio fiscal, once stamped" }),
    moneda: z.string(),
    tipoCambio: z.string().nullable(),
    metodoPago: z.string().nullable(),
    formaPago: z.string().nullable(),
    usoCfdi: z.string().nullable(),
    receptor: z.object({ rfc: z.string().nullable(), nombre: z.string().nullable() }),
    subtotal: z.string().openapi({ example: "10798.93" }),
    descuento: z.string().openapi({ example: "450.00" }),
    total: z.string().openapi({ example: "12499.99" }),
    validation: z.object({ valid: z.boolean(), issues: z.array(IssueSchema) }).openapi({
      description: "The CFDI engine's verdict on the draft: every issue at once, in Spanish",
    }),
    input: z.record(z.string(), z.unknown()).openapi({ description: "The engine model the CFDI is built from" }),
    stampedAt: z.string().nullable(),
    fechaTimbrado: z.string().nullable().openapi({ description: "As the PAC wrote it (Mexico City time)" }),
    pacProvider: z.string().nullable().openapi({ description: "The PAC that stamped it" }),
    error: z.object({ code: z.string(), detail: z.string() }).catchall(z.unknown()).nullable().openapi({
      description:
        "Why the last stamp or cancellation did not go through (Spanish `detail`; `pacCode` when the PAC gave one); null otherwise",
    }),
    cancellation: z
      .object({
        motivo: z.enum(CANCEL_MOTIVOS),
        folioSustitucion: z.string().nullable(),
        requestedAt: z.string().nullable(),
        checkedAt: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: "The cancellation requested (cancel_pending, cancelled)" }),
    cancelledAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .openapi("Invoice");
export type InvoiceBody = z.infer<typeof InvoiceSchema>;

/** Decimal columns come back with the column's 6 decimals; the API shows the currency's 2 (or what was stored). */
function money(value: string): string {
  const [int, frac = ""] = value.split(".");
  const trimmed = frac.replace(/0+$/, "");
  return `${int}.${trimmed.padEnd(2, "0")}`;
}

function errorOf(error: Record<string, unknown> | null): InvoiceBody["error"] {
  if (!error) return null;
  return { ...error, code: String(error.code ?? "ERROR"), detail: String(error.detail ?? "") };
}

export function toInvoice(row: InvoiceRow): InvoiceBody {
  return {
    id: row.id,
    status: row.status,
    type: row.tipoComprobante,
    relatedUuid: row.relatedUuid === null ? null : row.relatedUuid.toUpperCase(),
    proposalId: row.proposalId,
    customerId: row.customerId,
    serie: row.serie,
    folio: row.folio,
    // As the CFDI writes it (the uuid column reads back in lower case).
    uuid: row.uuid === null ? null : row.uuid.toUpperCase(),
    moneda: row.moneda,
    tipoCambio: row.tipoCambio,
    metodoPago: row.metodoPago,
    formaPago: row.formaPago,
    usoCfdi: row.usoCfdi,
    receptor: { rfc: row.receptorRfc, nombre: row.receptorNombre },
    subtotal: money(row.subtotal),
    descuento: money(row.descuento),
    total: money(row.total),
    validation: { valid: row.issues.length === 0, issues: row.issues },
    input: row.input as unknown as Record<string, unknown>,
    stampedAt: row.stampedAt,
    fechaTimbrado: row.fechaTimbrado,
    pacProvider: row.pacProvider,
    error: errorOf(row.error),
    cancellation:
      row.cancelMotivo === null
        ? null
        : {
            motivo: row.cancelMotivo as CancelMotivo,
            folioSustitucion: row.cancelFolioSustitucion === null ? null : row.cancelFolioSustitucion.toUpperCase(),
            requestedAt: row.cancelRequestedAt,
            checkedAt: row.cancelCheckedAt,
          },
    cancelledAt: row.cancelledAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}

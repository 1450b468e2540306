/**
 * A payment of an MSI plan on a PPD invoice as the recibo de pago (CFDI type P, Pagos 2.0) SAT
 * requires for it (issue 14). Runtime-free: the data in, the engine's PagoComprobanteInput out.
 *
 * - One Pago per payment: FechaPago = when the money was received (local time in Mexico City,
 *   the CFDI's zone), FormaDePagoP = the payment's forma, MonedaP = the plan's currency (TipoCambioP
 *   its exchange rate when not MXN), Monto = the amount.
 * - One DoctoRelacionado: the invoice's UUID, serie and folio; NumParcialidad = the payments made
 *   before this one + 1; ImpSaldoAnt = the invoice's Total − those payments; ImpPagado = the amount.
 * - Taxes: the invoice's own traslados (comprobante level, with their bases) and retenciones
 *   (summed from its conceptos), which the engine prorates by ImpPagado / Total (ObjetoImpDR 02);
 *   an invoice without taxes is ObjetoImpDR 01.
 */
import { buildComprobante } from "../cfdi/build.ts";
import type { InvoiceInput } from "../cfdi/invoice-input.ts";
import type { Comprobante } from "../cfdi/model.ts";
import type { DocumentoTaxInput, PagoComprobanteInput } from "../cfdi/pagos-input.ts";
import { add, formatDecimal, parseDecimal, sub, sum, ZERO, type Decimal } from "../money/decimal.ts";
import type { IssuerProfile } from "./proposal-invoice.ts";

export interface PaidInvoice {
  uuid: string;
  serie: string | null;
  folio: string | null;
  /** The engine model the invoice was stamped from. */
  input: InvoiceInput;
}

export interface ReceivedPayment {
  amount: string;
  formaPago: string;
  /** ISO 8601 instant. */
  paidAt: string;
  currency: string;
  exchangeRate: string | null;
  reference: string | null;
}

/** "YYYY-MM-DDThh:mm:ss" in America/Mexico_City for an instant. */
export function mexicoCityDateTime(instant: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "America/Mexico_City",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(instant));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:${get("second")}`;
}

function invoiceTaxes(c: Comprobante): { traslados: DocumentoTaxInput[]; retenciones: DocumentoTaxInput[] } {
  const traslados = (c.Impuestos?.Traslados ?? []).map((t) => ({
    impuesto: t.Impuesto,
    tipoFactor: t.TipoFactor,
    ...(t.TasaOCuota !== undefined ? { tasaOCuota: t.TasaOCuota } : {}),
    base: t.Base,
  }));
  // Comprobante-level retenciones carry no base: sum the conceptos' by (impuesto, factor, tasa).
  const bases = new Map<string, { impuesto: string; tipoFactor: string; tasaOCuota: string; base: Decimal }>();
  for (const concepto of c.Conceptos) {
    for (const r of concepto.Retenciones ?? []) {
      const key = `${r.Impuesto}|${r.TipoFactor}|${r.TasaOCuota}`;
      const seen = bases.get(key);
      bases.set(key, {
        impuesto: r.Impuesto,
        tipoFactor: r.TipoFactor,
        tasaOCuota: r.TasaOCuota,
        base: add(seen?.base ?? ZERO, parseDecimal(r.Base)),
      });
    }
  }
  const retenciones = [...bases.values()].map((r) => ({ ...r, base: formatDecimal(r.base) }));
  return { traslados, retenciones };
}

export function paymentReceiptInput(
  issuer: IssuerProfile,
  invoice: PaidInvoice,
  payment: ReceivedPayment,
  before: readonly string[],
): PagoComprobanteInput {
  const built = buildComprobante(invoice.input).comprobante;
  const decimals = built.Total.includes(".") ? built.Total.split(".")[1]!.length : 0;
  const saldoAnt = sub(parseDecimal(built.Total), sum(before.map(parseDecimal)));
  const { traslados, retenciones } = invoiceTaxes(built);
  const taxed = traslados.length > 0 || retenciones.length > 0;
  const receptor = invoice.input.receptor;
  return {
    ...(issuer.serie ? { serie: issuer.serie } : {}),
    lugarExpedicion: issuer.lugarExpedicion,
    emisor: { rfc: issuer.rfc, nombre: issuer.razonSocial, regimenFiscal: issuer.regimenFiscal },
    receptor: {
      rfc: receptor.rfc,
      nombre: receptor.nombre,
      domicilioFiscal: receptor.domicilioFiscal,
      regimenFiscal: receptor.regimenFiscal,
      usoCfdi: "CP01",
    },
    pagos: [
      {
        fechaPago: mexicoCityDateTime(payment.paidAt),
        formaDePagoP: payment.formaPago,
        monedaP: payment.currency,
        ...(payment.currency !== "MXN" && payment.exchangeRate ? { tipoCambioP: payment.exchangeRate } : {}),
        monto: payment.amount,
        ...(payment.reference && /^[^|]{1,100}$/.test(payment.reference) ? { numOperacion: payment.reference } : {}),
        doctosRelacionados: [
          {
            idDocumento: invoice.uuid,
            ...(invoice.serie ? { serie: invoice.serie } : {}),
            ...(invoice.folio ? { folio: invoice.folio } : {}),
            monedaDR: built.Moneda,
            numParcialidad: before.length + 1,
            impSaldoAnt: formatDecimal(saldoAnt, decimals),
            impPagado: payment.amount,
            objetoImpDR: taxed ? "02" : "01",
            ...(taxed
              ? {
                  totalDocumento: built.Total,
                  ...(traslados.length ? { traslados } : {}),
                  ...(retenciones.length ? { retenciones } : {}),
                }
              : {}),
          },
        ],
      },
    ],
  };
}

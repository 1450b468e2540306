/**
 * The JSON an application gives to issue a CFDI de tipo P (recibo electrónico de pago, REP) with
 * the complemento Pagos 2.0. Same conventions as `InvoiceInput`: Anexo 20 / Pagos20.xsd names in
 * lowerCamelCase, amounts as decimal strings (integers may be JSON numbers). The engine derives
 * ImpSaldoInsoluto, the taxes per related document (prorated from the related invoice's taxes),
 * ImpuestosP, Totales and, when omitted, Monto. See core/cfdi/README.md ("Recibo de pago").
 */
import type { InvoiceInput } from "./invoice-input.ts";

/** One tax of the related invoice (its comprobante-level Traslado/Retención) in MonedaDR. */
export type DocumentoTaxInput = {
  /** "002"/"IVA", "003"/"IEPS"; for retenciones also "001"/"ISR". */
  impuesto: string;
  /** "Tasa" or "Exento" (traslados only). Cuota is not prorated by this engine. */
  tipoFactor: string;
  /** Six decimals at most; not given for Exento. */
  tasaOCuota?: string | number;
  /** The invoice's Base for this tax (the whole invoice, not this payment). */
  base: string | number;
};

export type DoctoRelacionadoInput = {
  /** UUID (folio fiscal) of the related invoice, issued with MetodoPago PPD (the caller's business). */
  idDocumento: string;
  serie?: string;
  folio?: string;
  /** c_Moneda of the related invoice; default the payment's MonedaP. */
  monedaDR?: string;
  /**
   * Units of MonedaDR per one unit of MonedaP (≤ 10 decimals). Required when monedaDR ≠ monedaP;
   * omitted or "1" when they are equal (written as "1").
   */
  equivalenciaDR?: string | number;
  /** 1 for the first payment to this invoice, 2 for the second, … (≤ 999). */
  numParcialidad: number | string;
  /** What was still owed before this payment, in MonedaDR (the invoice Total for the first). */
  impSaldoAnt: string | number;
  /** Amount applied to this invoice, in MonedaDR. Give this or `pagadoEnMonedaP`. */
  impPagado?: string | number;
  /**
   * Amount applied to this invoice in the payment's currency; ImpPagado = this × EquivalenciaDR,
   * rounded half up to MonedaDR's decimals.
   */
  pagadoEnMonedaP?: string | number;
  /** c_ObjetoImp of the related invoice: "01", "02" (taxes broken down), "03" or "04". */
  objetoImpDR: string;
  /** The related invoice's Total (MonedaDR); required with objetoImpDR "02" to prorate its taxes. */
  totalDocumento?: string | number;
  /** The related invoice's traslados (objetoImpDR "02"). */
  traslados?: DocumentoTaxInput[];
  /** The related invoice's retenciones (objetoImpDR "02"). */
  retenciones?: DocumentoTaxInput[];
};

export type PagoInput = {
  /** When the money was received, "AAAA-MM-DDThh:mm:ss". */
  fechaPago: string;
  /** c_FormaPago of the payment actually received (not "99"). */
  formaDePagoP: string;
  /** c_Moneda of the payment; default "MXN". Not "XXX". */
  monedaP?: string;
  /** MXN per unit of MonedaP (≤ 6 decimals); required unless MonedaP is MXN (then "1"). */
  tipoCambioP?: string | number;
  /**
   * Amount received, in MonedaP. Default: Σ ImpPagado ÷ EquivalenciaDR truncated to MonedaP's
   * decimals. Must not be less than that.
   */
  monto?: string | number;
  numOperacion?: string;
  rfcEmisorCtaOrd?: string;
  nomBancoOrdExt?: string;
  ctaOrdenante?: string;
  rfcEmisorCtaBen?: string;
  ctaBeneficiario?: string;
  doctosRelacionados: DoctoRelacionadoInput[];
};

export type PagoComprobanteInput = {
  serie?: string;
  folio?: string;
  /** Local date-time at LugarExpedicion; default now in America/Mexico_City. */
  fecha?: string;
  lugarExpedicion: string;
  confirmacion?: string;
  /** Only TipoRelacion "04" (sustitución de un REP anterior). */
  cfdiRelacionados?: { tipoRelacion: string; uuids: string[] }[];
  emisor: InvoiceInput["emisor"];
  /** `usoCfdi` may be omitted: a REP always carries "CP01". */
  receptor: Omit<InvoiceInput["receptor"], "usoCfdi"> & { usoCfdi?: string };
  pagos: PagoInput[];
};

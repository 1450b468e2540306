/**
 * The JSON an application (or a user, through the CLI) gives to build an invoice. Field names are
 * the Anexo 20 attribute names in lowerCamelCase; amounts are decimal strings ("1160.00") so no
 * binary float ever touches money (integers may also be given as JSON numbers). Everything the
 * SAT derives — Importe, tax amounts, SubTotal, Descuento, Total, the comprobante-level tax
 * summary — is computed by the engine. See core/cfdi/README.md for the documented format.
 */

export type TaxInput = {
  /** "002"/"IVA", "003"/"IEPS", and for retenciones also "001"/"ISR". */
  impuesto: string;
  /** "Tasa", "Cuota" or "Exento" (traslados only). */
  tipoFactor: string;
  /** Six decimals at most: "0.16" or "0.160000". Not given for Exento. */
  tasaOCuota?: string | number;
  /**
   * Base override. Default: the concept's Importe − Descuento (Tasa, Exento) or its Cantidad
   * (Cuota, e.g. IEPS per litre).
   */
  base?: string | number;
};

export type ConceptoInput = {
  claveProdServ: string;
  noIdentificacion?: string;
  cantidad: string | number;
  claveUnidad: string;
  unidad?: string;
  descripcion: string;
  valorUnitario: string | number;
  descuento?: string | number;
  /** c_ObjetoImp; "02" requires at least one traslado or retención. */
  objetoImp: string;
  traslados?: TaxInput[];
  retenciones?: TaxInput[];
  aCuentaTerceros?: { rfc: string; nombre: string; regimenFiscal: string; domicilioFiscal: string };
  cuentaPredial?: string[];
  informacionAduanera?: string[];
};

export type InvoiceInput = {
  serie?: string;
  folio?: string;
  /** Local date-time at LugarExpedicion, "YYYY-MM-DDTHH:mm:ss". Default: now in America/Mexico_City. */
  fecha?: string;
  tipoDeComprobante: string;
  /** Default "MXN". */
  moneda?: string;
  tipoCambio?: string | number;
  formaPago?: string;
  metodoPago?: string;
  condicionesDePago?: string;
  lugarExpedicion: string;
  /** c_Exportacion, default "01". */
  exportacion?: string;
  confirmacion?: string;
  informacionGlobal?: { periodicidad: string; meses: string; año: string | number };
  cfdiRelacionados?: { tipoRelacion: string; uuids: string[] }[];
  emisor: { rfc: string; nombre: string; regimenFiscal: string; facAtrAdquirente?: string };
  receptor: {
    rfc: string;
    nombre: string;
    domicilioFiscal: string;
    regimenFiscal: string;
    usoCfdi: string;
    residenciaFiscal?: string;
    numRegIdTrib?: string;
  };
  conceptos: ConceptoInput[];
  /**
   * The total the customer saw (e.g. the accepted proposal's total). When given, building fails
   * with TOTAL_MISMATCH instead of issuing an invoice for a different amount.
   */
  totalEsperado?: string | number;
};

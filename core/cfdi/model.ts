/**
 * The CFDI 4.0 document model: one property per XML attribute, spelled as in Anexo 20 / cfdv40.xsd,
 * every value already a string in its final XML form. Amount calculation happens before this model
 * (see `build.ts`), so the XML writer and the cadena original never format numbers themselves and
 * cannot disagree with each other.
 */

export const CFDI_NS = "http://www.sat.gob.mx/cfd/4";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
export const TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital";
export const CFDI_SCHEMA_LOCATION = "http://www.sat.gob.mx/cfd/4 http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd";

export type InformacionGlobal = { Periodicidad: string; Meses: string; Año: string };

export type CfdiRelacionados = { TipoRelacion: string; UUIDs: string[] };

export type Emisor = { Rfc: string; Nombre: string; RegimenFiscal: string; FacAtrAdquirente?: string };

export type Receptor = {
  Rfc: string;
  Nombre: string;
  DomicilioFiscalReceptor: string;
  ResidenciaFiscal?: string;
  NumRegIdTrib?: string;
  RegimenFiscalReceptor: string;
  UsoCFDI: string;
};

export type TrasladoConcepto = {
  Base: string;
  Impuesto: string;
  TipoFactor: string;
  TasaOCuota?: string;
  Importe?: string;
};
export type RetencionConcepto = {
  Base: string;
  Impuesto: string;
  TipoFactor: string;
  TasaOCuota: string;
  Importe: string;
};

export type ACuentaTerceros = {
  RfcACuentaTerceros: string;
  NombreACuentaTerceros: string;
  RegimenFiscalACuentaTerceros: string;
  DomicilioFiscalACuentaTerceros: string;
};

export type Concepto = {
  ClaveProdServ: string;
  NoIdentificacion?: string;
  Cantidad: string;
  ClaveUnidad: string;
  Unidad?: string;
  Descripcion: string;
  ValorUnitario: string;
  Importe: string;
  Descuento?: string;
  ObjetoImp: string;
  Traslados?: TrasladoConcepto[];
  Retenciones?: RetencionConcepto[];
  ACuentaTerceros?: ACuentaTerceros;
  InformacionAduanera?: string[];
  CuentaPredial?: string[];
};

export type TrasladoComprobante = {
  Base: string;
  Impuesto: string;
  TipoFactor: string;
  TasaOCuota?: string;
  Importe?: string;
};
export type RetencionComprobante = { Impuesto: string; Importe: string };

export type ImpuestosComprobante = {
  TotalImpuestosRetenidos?: string;
  TotalImpuestosTrasladados?: string;
  Retenciones?: RetencionComprobante[];
  Traslados?: TrasladoComprobante[];
};

export type Comprobante = {
  Version: "4.0";
  Serie?: string;
  Folio?: string;
  Fecha: string;
  Sello?: string;
  FormaPago?: string;
  NoCertificado?: string;
  Certificado?: string;
  CondicionesDePago?: string;
  SubTotal: string;
  Descuento?: string;
  Moneda: string;
  TipoCambio?: string;
  Total: string;
  TipoDeComprobante: string;
  Exportacion: string;
  MetodoPago?: string;
  LugarExpedicion: string;
  Confirmacion?: string;
  InformacionGlobal?: InformacionGlobal;
  CfdiRelacionados?: CfdiRelacionados[];
  Emisor: Emisor;
  Receptor: Receptor;
  Conceptos: Concepto[];
  Impuestos?: ImpuestosComprobante;
};

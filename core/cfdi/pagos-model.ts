/**
 * The complemento Pagos 2.0 model (Pagos20.xsd) and its XML writer. As in `model.ts`, one
 * property per attribute, spelled as in the XSD, every value already in its final text form:
 * the amounts are computed in `pagos.ts` and never formatted here.
 */
import type { ComplementNamespace } from "./xml-writer.ts";
import { attrs } from "./xml-writer.ts";

export const PAGOS20_NS = "http://www.sat.gob.mx/Pagos20";
export const PAGOS20_NAMESPACE: ComplementNamespace = {
  prefix: "pago20",
  uri: PAGOS20_NS,
  schemaLocation: "http://www.sat.gob.mx/sitio_internet/cfd/Pagos/Pagos20.xsd",
};

export type RetencionDR = {
  BaseDR: string;
  ImpuestoDR: string;
  TipoFactorDR: string;
  TasaOCuotaDR: string;
  ImporteDR: string;
};
export type TrasladoDR = {
  BaseDR: string;
  ImpuestoDR: string;
  TipoFactorDR: string;
  TasaOCuotaDR?: string;
  ImporteDR?: string;
};

export type DoctoRelacionado = {
  IdDocumento: string;
  Serie?: string;
  Folio?: string;
  MonedaDR: string;
  EquivalenciaDR?: string;
  NumParcialidad: string;
  ImpSaldoAnt: string;
  ImpPagado: string;
  ImpSaldoInsoluto: string;
  ObjetoImpDR: string;
  RetencionesDR?: RetencionDR[];
  TrasladosDR?: TrasladoDR[];
};

export type RetencionP = { ImpuestoP: string; ImporteP: string };
export type TrasladoP = {
  BaseP: string;
  ImpuestoP: string;
  TipoFactorP: string;
  TasaOCuotaP?: string;
  ImporteP?: string;
};

export type Pago = {
  FechaPago: string;
  FormaDePagoP: string;
  MonedaP: string;
  TipoCambioP?: string;
  Monto: string;
  NumOperacion?: string;
  RfcEmisorCtaOrd?: string;
  NomBancoOrdExt?: string;
  CtaOrdenante?: string;
  RfcEmisorCtaBen?: string;
  CtaBeneficiario?: string;
  DoctosRelacionados: DoctoRelacionado[];
  RetencionesP?: RetencionP[];
  TrasladosP?: TrasladoP[];
};

export type TotalesPagos = {
  TotalRetencionesIVA?: string;
  TotalRetencionesISR?: string;
  TotalRetencionesIEPS?: string;
  TotalTrasladosBaseIVA16?: string;
  TotalTrasladosImpuestoIVA16?: string;
  TotalTrasladosBaseIVA8?: string;
  TotalTrasladosImpuestoIVA8?: string;
  TotalTrasladosBaseIVA0?: string;
  TotalTrasladosImpuestoIVA0?: string;
  TotalTrasladosBaseIVAExento?: string;
  MontoTotalPagos: string;
};

export type Pagos = { Version: "2.0"; Totales: TotalesPagos; Pago: Pago[] };

const P = "pago20";

function doctoXml(d: DoctoRelacionado): string {
  let s = `<${P}:DoctoRelacionado${attrs([
    ["IdDocumento", d.IdDocumento],
    ["Serie", d.Serie],
    ["Folio", d.Folio],
    ["MonedaDR", d.MonedaDR],
    ["EquivalenciaDR", d.EquivalenciaDR],
    ["NumParcialidad", d.NumParcialidad],
    ["ImpSaldoAnt", d.ImpSaldoAnt],
    ["ImpPagado", d.ImpPagado],
    ["ImpSaldoInsoluto", d.ImpSaldoInsoluto],
    ["ObjetoImpDR", d.ObjetoImpDR],
  ])}`;
  if (!d.RetencionesDR?.length && !d.TrasladosDR?.length) return `${s}/>`;
  // Pagos20.xsd: ImpuestosDR = sequence (RetencionesDR?, TrasladosDR?).
  s += `><${P}:ImpuestosDR>`;
  if (d.RetencionesDR?.length) {
    s += `<${P}:RetencionesDR>`;
    for (const r of d.RetencionesDR)
      s += `<${P}:RetencionDR${attrs([
        ["BaseDR", r.BaseDR],
        ["ImpuestoDR", r.ImpuestoDR],
        ["TipoFactorDR", r.TipoFactorDR],
        ["TasaOCuotaDR", r.TasaOCuotaDR],
        ["ImporteDR", r.ImporteDR],
      ])}/>`;
    s += `</${P}:RetencionesDR>`;
  }
  if (d.TrasladosDR?.length) {
    s += `<${P}:TrasladosDR>`;
    for (const t of d.TrasladosDR)
      s += `<${P}:TrasladoDR${attrs([
        ["BaseDR", t.BaseDR],
        ["ImpuestoDR", t.ImpuestoDR],
        ["TipoFactorDR", t.TipoFactorDR],
        ["TasaOCuotaDR", t.TasaOCuotaDR],
        ["ImporteDR", t.ImporteDR],
      ])}/>`;
    s += `</${P}:TrasladosDR>`;
  }
  return `${s}</${P}:ImpuestosDR></${P}:DoctoRelacionado>`;
}

function pagoXml(p: Pago): string {
  let s = `<${P}:Pago${attrs([
    ["FechaPago", p.FechaPago],
    ["FormaDePagoP", p.FormaDePagoP],
    ["MonedaP", p.MonedaP],
    ["TipoCambioP", p.TipoCambioP],
    ["Monto", p.Monto],
    ["NumOperacion", p.NumOperacion],
    ["RfcEmisorCtaOrd", p.RfcEmisorCtaOrd],
    ["NomBancoOrdExt", p.NomBancoOrdExt],
    ["CtaOrdenante", p.CtaOrdenante],
    ["RfcEmisorCtaBen", p.RfcEmisorCtaBen],
    ["CtaBeneficiario", p.CtaBeneficiario],
  ])}>`;
  for (const d of p.DoctosRelacionados) s += doctoXml(d);
  if (p.RetencionesP?.length || p.TrasladosP?.length) {
    s += `<${P}:ImpuestosP>`;
    if (p.RetencionesP?.length) {
      s += `<${P}:RetencionesP>`;
      for (const r of p.RetencionesP)
        s += `<${P}:RetencionP${attrs([
          ["ImpuestoP", r.ImpuestoP],
          ["ImporteP", r.ImporteP],
        ])}/>`;
      s += `</${P}:RetencionesP>`;
    }
    if (p.TrasladosP?.length) {
      s += `<${P}:TrasladosP>`;
      for (const t of p.TrasladosP)
        s += `<${P}:TrasladoP${attrs([
          ["BaseP", t.BaseP],
          ["ImpuestoP", t.ImpuestoP],
          ["TipoFactorP", t.TipoFactorP],
          ["TasaOCuotaP", t.TasaOCuotaP],
          ["ImporteP", t.ImporteP],
        ])}/>`;
      s += `</${P}:TrasladosP>`;
    }
    s += `</${P}:ImpuestosP>`;
  }
  return `${s}</${P}:Pago>`;
}

/** The complement's XML (the child of cfdi:Complemento); its prefix is declared on the root. */
export function pagosToXml(p: Pagos): string {
  const t = p.Totales;
  let s = `<${P}:Pagos${attrs([["Version", p.Version]])}><${P}:Totales${attrs([
    ["TotalRetencionesIVA", t.TotalRetencionesIVA],
    ["TotalRetencionesISR", t.TotalRetencionesISR],
    ["TotalRetencionesIEPS", t.TotalRetencionesIEPS],
    ["TotalTrasladosBaseIVA16", t.TotalTrasladosBaseIVA16],
    ["TotalTrasladosImpuestoIVA16", t.TotalTrasladosImpuestoIVA16],
    ["TotalTrasladosBaseIVA8", t.TotalTrasladosBaseIVA8],
    ["TotalTrasladosImpuestoIVA8", t.TotalTrasladosImpuestoIVA8],
    ["TotalTrasladosBaseIVA0", t.TotalTrasladosBaseIVA0],
    ["TotalTrasladosImpuestoIVA0", t.TotalTrasladosImpuestoIVA0],
    ["TotalTrasladosBaseIVAExento", t.TotalTrasladosBaseIVAExento],
    ["MontoTotalPagos", t.MontoTotalPagos],
  ])}/>`;
  for (const pago of p.Pago) s += pagoXml(pago);
  return `${s}</${P}:Pagos>`;
}

/**
 * Comprobante model → CFDI 4.0 XML text. Elements follow the sequence of cfdv40.xsd, attributes the
 * order of Anexo 20 (the same order the cadena original uses, which keeps the XML readable next to
 * its cadena). No indentation: whitespace text between elements is legal but adds bytes that
 * travel to the PAC and to storage for nothing.
 */
import type { Comprobante, Concepto, ImpuestosComprobante } from "./model.ts";
import { CFDI_NS, CFDI_SCHEMA_LOCATION, XSI_NS } from "./model.ts";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  // Literal tab/newline/CR inside an attribute would be turned into spaces by any XML parser
  // (XML 1.0 §3.3.3); character references keep the value the user typed.
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};
const ESCAPE_RE = /[&<>"\t\n\r]/g;
const NEEDS_ESCAPE = /[&<>"\t\n\r]/;

export function escapeAttribute(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_RE, (c) => ESCAPES[c] as string) : value;
}

export function attrs(pairs: [string, string | undefined][]): string {
  let s = "";
  for (const [name, value] of pairs) if (value !== undefined) s += ` ${name}="${escapeAttribute(value)}"`;
  return s;
}

function conceptoXml(c: Concepto): string {
  let s = `<cfdi:Concepto${attrs([
    ["ClaveProdServ", c.ClaveProdServ],
    ["NoIdentificacion", c.NoIdentificacion],
    ["Cantidad", c.Cantidad],
    ["ClaveUnidad", c.ClaveUnidad],
    ["Unidad", c.Unidad],
    ["Descripcion", c.Descripcion],
    ["ValorUnitario", c.ValorUnitario],
    ["Importe", c.Importe],
    ["Descuento", c.Descuento],
    ["ObjetoImp", c.ObjetoImp],
  ])}`;
  const hasTraslados = !!c.Traslados?.length;
  const hasRetenciones = !!c.Retenciones?.length;
  const children: string[] = [];
  if (hasTraslados || hasRetenciones) {
    let imp = "<cfdi:Impuestos>";
    if (hasTraslados) {
      imp += "<cfdi:Traslados>";
      for (const t of c.Traslados ?? []) {
        imp += `<cfdi:Traslado${attrs([
          ["Base", t.Base],
          ["Impuesto", t.Impuesto],
          ["TipoFactor", t.TipoFactor],
          ["TasaOCuota", t.TasaOCuota],
          ["Importe", t.Importe],
        ])}/>`;
      }
      imp += "</cfdi:Traslados>";
    }
    if (hasRetenciones) {
      imp += "<cfdi:Retenciones>";
      for (const r of c.Retenciones ?? []) {
        imp += `<cfdi:Retencion${attrs([
          ["Base", r.Base],
          ["Impuesto", r.Impuesto],
          ["TipoFactor", r.TipoFactor],
          ["TasaOCuota", r.TasaOCuota],
          ["Importe", r.Importe],
        ])}/>`;
      }
      imp += "</cfdi:Retenciones>";
    }
    children.push(`${imp}</cfdi:Impuestos>`);
  }
  if (c.ACuentaTerceros) {
    const t = c.ACuentaTerceros;
    children.push(
      `<cfdi:ACuentaTerceros${attrs([
        ["RfcACuentaTerceros", t.RfcACuentaTerceros],
        ["NombreACuentaTerceros", t.NombreACuentaTerceros],
        ["RegimenFiscalACuentaTerceros", t.RegimenFiscalACuentaTerceros],
        ["DomicilioFiscalACuentaTerceros", t.DomicilioFiscalACuentaTerceros],
      ])}/>`,
    );
  }
  for (const p of c.InformacionAduanera ?? [])
    children.push(`<cfdi:InformacionAduanera${attrs([["NumeroPedimento", p]])}/>`);
  for (const n of c.CuentaPredial ?? []) children.push(`<cfdi:CuentaPredial${attrs([["Numero", n]])}/>`);
  s += children.length ? `>${children.join("")}</cfdi:Concepto>` : "/>";
  return s;
}

function impuestosXml(i: ImpuestosComprobante): string {
  let s = `<cfdi:Impuestos${attrs([
    ["TotalImpuestosRetenidos", i.TotalImpuestosRetenidos],
    ["TotalImpuestosTrasladados", i.TotalImpuestosTrasladados],
  ])}>`;
  if (i.Retenciones?.length) {
    s += "<cfdi:Retenciones>";
    for (const r of i.Retenciones)
      s += `<cfdi:Retencion${attrs([
        ["Impuesto", r.Impuesto],
        ["Importe", r.Importe],
      ])}/>`;
    s += "</cfdi:Retenciones>";
  }
  if (i.Traslados?.length) {
    s += "<cfdi:Traslados>";
    for (const t of i.Traslados) {
      s += `<cfdi:Traslado${attrs([
        ["Base", t.Base],
        ["Impuesto", t.Impuesto],
        ["TipoFactor", t.TipoFactor],
        ["TasaOCuota", t.TasaOCuota],
        ["Importe", t.Importe],
      ])}/>`;
    }
    s += "</cfdi:Traslados>";
  }
  return `${s}</cfdi:Impuestos>`;
}

/** A complement's namespace, declared on the root next to cfdi's (as the SAT's samples do). */
export type ComplementNamespace = {
  readonly prefix: string;
  readonly uri: string;
  /** The XSD URL, appended as "uri url" to xsi:schemaLocation. */
  readonly schemaLocation: string;
};

/**
 * Serialises the comprobante. `complementoXml` (already serialised, e.g. a TFD or a Pagos 2.0
 * complement) is inserted verbatim; `namespaces` are declared on cfdi:Comprobante for it.
 */
export function comprobanteToXml(
  c: Comprobante,
  complementoXml?: string,
  namespaces: readonly ComplementNamespace[] = [],
): string {
  let xmlns = "";
  let schemaLocation = CFDI_SCHEMA_LOCATION;
  for (const n of namespaces) {
    xmlns += ` xmlns:${n.prefix}="${escapeAttribute(n.uri)}"`;
    schemaLocation += ` ${n.uri} ${n.schemaLocation}`;
  }
  let s = `<?xml version="1.0" encoding="UTF-8"?><cfdi:Comprobante xmlns:cfdi="${CFDI_NS}" xmlns:xsi="${XSI_NS}"${xmlns} xsi:schemaLocation="${escapeAttribute(schemaLocation)}"${attrs(
    [
      ["Version", c.Version],
      ["Serie", c.Serie],
      ["Folio", c.Folio],
      ["Fecha", c.Fecha],
      ["Sello", c.Sello ?? ""],
      ["FormaPago", c.FormaPago],
      ["NoCertificado", c.NoCertificado ?? ""],
      ["Certificado", c.Certificado ?? ""],
      ["CondicionesDePago", c.CondicionesDePago],
      ["SubTotal", c.SubTotal],
      ["Descuento", c.Descuento],
      ["Moneda", c.Moneda],
      ["TipoCambio", c.TipoCambio],
      ["Total", c.Total],
      ["TipoDeComprobante", c.TipoDeComprobante],
      ["Exportacion", c.Exportacion],
      ["MetodoPago", c.MetodoPago],
      ["LugarExpedicion", c.LugarExpedicion],
      ["Confirmacion", c.Confirmacion],
    ],
  )}>`;
  if (c.InformacionGlobal) {
    const g = c.InformacionGlobal;
    s += `<cfdi:InformacionGlobal${attrs([
      ["Periodicidad", g.Periodicidad],
      ["Meses", g.Meses],
      ["Año", g.Año],
    ])}/>`;
  }
  for (const r of c.CfdiRelacionados ?? []) {
    s += `<cfdi:CfdiRelacionados${attrs([["TipoRelacion", r.TipoRelacion]])}>`;
    for (const u of r.UUIDs) s += `<cfdi:CfdiRelacionado${attrs([["UUID", u]])}/>`;
    s += "</cfdi:CfdiRelacionados>";
  }
  const e = c.Emisor;
  s += `<cfdi:Emisor${attrs([
    ["Rfc", e.Rfc],
    ["Nombre", e.Nombre],
    ["RegimenFiscal", e.RegimenFiscal],
    ["FacAtrAdquirente", e.FacAtrAdquirente],
  ])}/>`;
  const r = c.Receptor;
  s += `<cfdi:Receptor${attrs([
    ["Rfc", r.Rfc],
    ["Nombre", r.Nombre],
    ["DomicilioFiscalReceptor", r.DomicilioFiscalReceptor],
    ["ResidenciaFiscal", r.ResidenciaFiscal],
    ["NumRegIdTrib", r.NumRegIdTrib],
    ["RegimenFiscalReceptor", r.RegimenFiscalReceptor],
    ["UsoCFDI", r.UsoCFDI],
  ])}/>`;
  s += "<cfdi:Conceptos>";
  for (const k of c.Conceptos) s += conceptoXml(k);
  s += "</cfdi:Conceptos>";
  if (c.Impuestos) s += impuestosXml(c.Impuestos);
  if (complementoXml) s += `<cfdi:Complemento>${complementoXml}</cfdi:Complemento>`;
  return `${s}</cfdi:Comprobante>`;
}

/**
 * Cadena original of a CFDI 4.0 (Anexo 20, rubro I.B / the SAT stylesheet
 * `cadenaoriginal_4_0.xslt`), written natively because Workers have no XSLT engine.
 *
 * The rules, read off the stylesheet and `utilerias.xslt`:
 * - the cadena starts with "||" ("|" from the root template, then "|" before the first value) and
 *   ends with "||";
 * - every *required* attribute contributes "|" + value even when it is absent (empty value);
 *   an *optional* one contributes only when the attribute exists (an empty attribute still
 *   contributes "|");
 * - each value goes through XPath `normalize-space()`: leading/trailing spaces, tabs, CR and LF are
 *   removed and inner runs of them become one space; nothing else changes (no escaping — the
 *   cadena is text, "&" stays "&");
 * - children are visited in the stylesheet's order, not the document's;
 * - inside `cfdi:Complemento` / `cfdi:ComplementoConcepto` each child element is handed to the
 *   complement's own template — the 32 complement stylesheets the SAT XSLT includes, compiled into
 *   `complement-rules.ts` and interpreted by `xslt-subset.ts`; elements no included stylesheet
 *   matches (the TimbreFiscalDigital among them) fall to XSLT's built-in rule, which copies their
 *   descendant text nodes verbatim.
 */
import type { Comprobante } from "./model.ts";
import { CFDI_NS } from "./model.ts";
import type { XmlElement } from "./xml-parser.ts";
import { attr, childElements, descendants, parseXml } from "./xml-parser.ts";
import { COMPLEMENT_RULES } from "./complement-rules.ts";
import { applyTemplates } from "./xslt-subset.ts";

const CONTROL_WS = /[\t\n\r]/;
/** Whitespace runs normalize-space() changes: any run holding a tab/CR/LF, or two or more characters. */
const WS_TO_COLLAPSE = /[\t\r\n][ \t\r\n]*| [ \t\r\n]+/g;
/** After WS_TO_COLLAPSE every run is one space: drop it next to a separator (trims each value). */
const SPACE_BY_PIPE = / \| ?|\| /g;
const SPACE_NEXT_TO_PIPE = / \||\| /;
const PIPE_G = /\|/g;

/** XPath 1.0 normalize-space(): only #x20, #x9, #xD, #xA count as whitespace. */
export function normalizeSpace(s: string): string {
  // Fast path (almost every value): nothing to change. indexOf is vectorised in V8, far cheaper
  // than a regex scan on long descriptions.
  if (s.charCodeAt(0) !== 32 && s.charCodeAt(s.length - 1) !== 32 && !CONTROL_WS.test(s) && s.indexOf("  ") < 0) return s;
  let r = s.replace(WS_TO_COLLAPSE, " ");
  if (r.charCodeAt(0) === 32) r = r.slice(1);
  if (r.charCodeAt(r.length - 1) === 32) r = r.slice(0, -1);
  return r;
}

const NEEDS_SLOW_PATH = Symbol("needs the normalising pass");

/**
 * Accumulates "|value" parts; `req`/`opt` mirror the two utilerias.xslt templates.
 *
 * Speed: normalize-space() is the identity for almost every value, so the first pass
 * concatenates raw values and `run` checks the finished cadena once: if it contains no tab, CR,
 * LF, double space, "| " or " |", no value had anything to normalise and the fast result is
 * exact. Otherwise (or when built-in-rule text must be copied verbatim) a second pass
 * normalises value by value.
 */
class CadenaBuilder {
  private out = "|";
  /** Number of values written (each preceded by one "|"). */
  values = 0;
  readonly normalize: boolean;
  constructor(normalize: boolean) {
    this.normalize = normalize;
  }
  req(v: string | undefined): void {
    this.values++;
    this.out += v === undefined ? "|" : this.normalize ? "|" + normalizeSpace(v) : "|" + v;
  }
  opt(v: string | undefined): void {
    if (v === undefined) return;
    this.values++;
    this.out += this.normalize ? "|" + normalizeSpace(v) : "|" + v;
  }
  /** A required value normalised even in the fast pass (values SAT writes with double spaces). */
  reqNormalized(v: string | undefined): void {
    this.values++;
    this.out += v === undefined ? "|" : "|" + normalizeSpace(v);
  }
  /** Text copied by XSLT's built-in rule: verbatim, no separator. */
  raw(s: string): void {
    if (!this.normalize) throw NEEDS_SLOW_PATH;
    this.out += s;
  }
  finish(): string {
    return this.out + "||";
  }
}

function isClean(s: string): boolean {
  return !CONTROL_WS.test(s) && s.indexOf("  ") < 0 && s.indexOf("| ") < 0 && s.indexOf(" |") < 0;
}

/**
 * When every "|" in the joined cadena is a separator (`values + 3` of them: "|" + one per value +
 * "||"), normalising the whole string — collapse whitespace runs, drop a space next to a "|" —
 * equals normalising value by value, in one regex pass instead of one call per value.
 */
function normalizeJoined(s: string, values: number, knownPipeFree = false): string | undefined {
  // Both patterns match only where something changes: a single space between two non-blanks and
  // a "|" without a neighbouring space are left alone (the broad /[ \t\r\n]+/ and / ?\| ?/ matched
  // every word gap and every separator and rebuilt them unchanged).
  const collapsed = s.replace(WS_TO_COLLAPSE, " ");
  // Every value sits between two "|" (the cadena starts and ends with "||"), so with no space next
  // to any "|" no collapsed value has a space to trim: each value's normalize-space() is its
  // collapse (a run never spans a "|"), and "|" inside values cannot matter.
  if (!SPACE_NEXT_TO_PIPE.test(collapsed)) return collapsed;
  // One native match scan counts the pipes several times faster than an indexOf loop.
  if (!knownPipeFree && (s.match(PIPE_G) as RegExpMatchArray).length !== values + 3) return undefined;
  return collapsed.replace(SPACE_BY_PIPE, "|");
}

function run(walk: (b: CadenaBuilder) => void, pipeFree = false): string {
  const fast = new CadenaBuilder(false);
  try {
    walk(fast);
    const s = fast.finish();
    if (isClean(s)) return s;
    const joined = normalizeJoined(s, fast.values, pipeFree);
    if (joined !== undefined) return joined;
  } catch (e) {
    if (e !== NEEDS_SLOW_PATH) throw e;
  }
  const slow = new CadenaBuilder(true);
  walk(slow);
  return slow.finish();
}

// ---------------------------------------------------------------------------------------------
// From the model (no XML round trip): what we sign for invoices we build.
// ---------------------------------------------------------------------------------------------

/** Cadena original of a comprobante model (the values as they will be written into the XML). */
export function cadenaFromModel(c: Comprobante): string {
  // Same two-pass scheme as `run`, written with a local string: the model walk is hot (it runs
  // for every invoice we seal) and a local accumulator is several times cheaper than a builder.
  const [fast, values] = modelCadena(c, false);
  if (isClean(fast)) return fast;
  return normalizeJoined(fast, values) ?? modelCadena(c, true)[0];
}

function modelCadena(c: Comprobante, normalize: boolean): [string, number] {
  let n = 0;
  const v = (x: string | undefined): string => {
    n++;
    return x === undefined ? "" : normalize ? normalizeSpace(x) : x;
  };
  const vn = (x: string): string => {
    n++;
    return normalizeSpace(x);
  };
  let o = "|";
  o += "|" + v(c.Version);
  if (c.Serie !== undefined) o += "|" + v(c.Serie);
  if (c.Folio !== undefined) o += "|" + v(c.Folio);
  o += "|" + v(c.Fecha);
  if (c.FormaPago !== undefined) o += "|" + v(c.FormaPago);
  o += "|" + v(c.NoCertificado ?? "");
  if (c.CondicionesDePago !== undefined) o += "|" + v(c.CondicionesDePago);
  o += "|" + v(c.SubTotal);
  if (c.Descuento !== undefined) o += "|" + v(c.Descuento);
  o += "|" + v(c.Moneda);
  if (c.TipoCambio !== undefined) o += "|" + v(c.TipoCambio);
  o += "|" + v(c.Total);
  o += "|" + v(c.TipoDeComprobante);
  o += "|" + v(c.Exportacion);
  if (c.MetodoPago !== undefined) o += "|" + v(c.MetodoPago);
  o += "|" + v(c.LugarExpedicion);
  if (c.Confirmacion !== undefined) o += "|" + v(c.Confirmacion);
  if (c.InformacionGlobal) {
    o += "|" + v(c.InformacionGlobal.Periodicidad);
    o += "|" + v(c.InformacionGlobal.Meses);
    o += "|" + v(c.InformacionGlobal.Año);
  }
  for (const r of c.CfdiRelacionados ?? []) {
    o += "|" + v(r.TipoRelacion);
    for (const u of r.UUIDs) o += "|" + v(u);
  }
  const e = c.Emisor;
  o += "|" + v(e.Rfc);
  o += "|" + v(e.Nombre);
  o += "|" + v(e.RegimenFiscal);
  if (e.FacAtrAdquirente !== undefined) o += "|" + v(e.FacAtrAdquirente);
  const r = c.Receptor;
  o += "|" + v(r.Rfc);
  o += "|" + v(r.Nombre);
  o += "|" + v(r.DomicilioFiscalReceptor);
  if (r.ResidenciaFiscal !== undefined) o += "|" + v(r.ResidenciaFiscal);
  if (r.NumRegIdTrib !== undefined) o += "|" + v(r.NumRegIdTrib);
  o += "|" + v(r.RegimenFiscalReceptor);
  o += "|" + v(r.UsoCFDI);
  for (const k of c.Conceptos) {
    o += "|" + v(k.ClaveProdServ);
    if (k.NoIdentificacion !== undefined) o += "|" + v(k.NoIdentificacion);
    o += "|" + v(k.Cantidad);
    o += "|" + v(k.ClaveUnidad);
    if (k.Unidad !== undefined) o += "|" + v(k.Unidad);
    o += "|" + v(k.Descripcion);
    o += "|" + v(k.ValorUnitario);
    o += "|" + v(k.Importe);
    if (k.Descuento !== undefined) o += "|" + v(k.Descuento);
    o += "|" + v(k.ObjetoImp);
    for (const t of k.Traslados ?? []) {
      o += "|" + v(t.Base);
      o += "|" + v(t.Impuesto);
      o += "|" + v(t.TipoFactor);
      if (t.TasaOCuota !== undefined) o += "|" + v(t.TasaOCuota);
      if (t.Importe !== undefined) o += "|" + v(t.Importe);
    }
    for (const t of k.Retenciones ?? []) {
      o += "|" + v(t.Base);
      o += "|" + v(t.Impuesto);
      o += "|" + v(t.TipoFactor);
      o += "|" + v(t.TasaOCuota);
      o += "|" + v(t.Importe);
    }
    if (k.ACuentaTerceros) {
      const a = k.ACuentaTerceros;
      o += "|" + v(a.RfcACuentaTerceros);
      o += "|" + v(a.NombreACuentaTerceros);
      o += "|" + v(a.RegimenFiscalACuentaTerceros);
      o += "|" + v(a.DomicilioFiscalACuentaTerceros);
    }
    // NumeroPedimento is written with double spaces by definition ("21  47  3807  8003832").
    for (const p of k.InformacionAduanera ?? []) o += "|" + vn(p);
    for (const n of k.CuentaPredial ?? []) o += "|" + v(n);
  }
  const i = c.Impuestos;
  if (i) {
    for (const t of i.Retenciones ?? []) {
      o += "|" + v(t.Impuesto);
      o += "|" + v(t.Importe);
    }
    if (i.TotalImpuestosRetenidos !== undefined) o += "|" + v(i.TotalImpuestosRetenidos);
    for (const t of i.Traslados ?? []) {
      o += "|" + v(t.Base);
      o += "|" + v(t.Impuesto);
      o += "|" + v(t.TipoFactor);
      if (t.TasaOCuota !== undefined) o += "|" + v(t.TasaOCuota);
      if (t.Importe !== undefined) o += "|" + v(t.Importe);
    }
    if (i.TotalImpuestosTrasladados !== undefined) o += "|" + v(i.TotalImpuestosTrasladados);
  }
  return [o + "||", n];
}

// ---------------------------------------------------------------------------------------------
// From XML (anyone's CFDI): a walk that mirrors cadenaoriginal_4_0.xslt template by template.
// ---------------------------------------------------------------------------------------------

const N = CFDI_NS;

function complementContainer(el: XmlElement, root: XmlElement, b: CadenaBuilder): void {
  for (const c of el.children) if (typeof c !== "string") applyTemplates(c, root, COMPLEMENT_RULES, b);
}

function concepto(k: XmlElement, root: XmlElement, b: CadenaBuilder): void {
  b.req(attr(k, "ClaveProdServ"));
  b.opt(attr(k, "NoIdentificacion"));
  b.req(attr(k, "Cantidad"));
  b.req(attr(k, "ClaveUnidad"));
  b.opt(attr(k, "Unidad"));
  b.req(attr(k, "Descripcion"));
  b.req(attr(k, "ValorUnitario"));
  b.req(attr(k, "Importe"));
  b.opt(attr(k, "Descuento"));
  b.req(attr(k, "ObjetoImp"));
  const impuestos = childElements(k, N, "Impuestos");
  for (const imp of impuestos) {
    for (const ts of childElements(imp, N, "Traslados")) {
      for (const t of childElements(ts, N, "Traslado")) {
        b.req(attr(t, "Base"));
        b.req(attr(t, "Impuesto"));
        b.req(attr(t, "TipoFactor"));
        b.opt(attr(t, "TasaOCuota"));
        b.opt(attr(t, "Importe"));
      }
    }
  }
  for (const imp of impuestos) {
    for (const rs of childElements(imp, N, "Retenciones")) {
      for (const t of childElements(rs, N, "Retencion")) {
        b.req(attr(t, "Base"));
        b.req(attr(t, "Impuesto"));
        b.req(attr(t, "TipoFactor"));
        b.req(attr(t, "TasaOCuota"));
        b.req(attr(t, "Importe"));
      }
    }
  }
  for (const a of childElements(k, N, "ACuentaTerceros")) {
    b.req(attr(a, "RfcACuentaTerceros"));
    b.req(attr(a, "NombreACuentaTerceros"));
    b.req(attr(a, "RegimenFiscalACuentaTerceros"));
    b.req(attr(a, "DomicilioFiscalACuentaTerceros"));
  }
  for (const a of childElements(k, N, "InformacionAduanera")) b.reqNormalized(attr(a, "NumeroPedimento"));
  for (const a of childElements(k, N, "CuentaPredial")) b.req(attr(a, "Numero"));
  for (const a of childElements(k, N, "ComplementoConcepto")) complementContainer(a, root, b);
  for (const p of descendants(k, N, "Parte")) {
    b.req(attr(p, "ClaveProdServ"));
    b.opt(attr(p, "NoIdentificacion"));
    b.req(attr(p, "Cantidad"));
    b.opt(attr(p, "Unidad"));
    b.req(attr(p, "Descripcion"));
    b.opt(attr(p, "ValorUnitario"));
    b.opt(attr(p, "Importe"));
    for (const a of descendants(p, N, "InformacionAduanera")) b.reqNormalized(attr(a, "NumeroPedimento"));
  }
}

/** Cadena original from a parsed document. */
export function cadenaFromElement(root: XmlElement): string {
  // A root other than cfdi:Comprobante: the root template still prints its "|" … "||" around nothing.
  if (root.ns !== N || root.local !== "Comprobante") return "|||";
  // The parser knows whether any attribute value contains "|"; text nodes only reach the cadena
  // through the built-in rule, which always takes the value-by-value pass.
  return run((b) => elementWalk(root, b), root.pipeInAttributes === false);
}

function elementWalk(c: XmlElement, b: CadenaBuilder): void {
  b.req(attr(c, "Version"));
  b.opt(attr(c, "Serie"));
  b.opt(attr(c, "Folio"));
  b.req(attr(c, "Fecha"));
  b.opt(attr(c, "FormaPago"));
  b.req(attr(c, "NoCertificado"));
  b.opt(attr(c, "CondicionesDePago"));
  b.req(attr(c, "SubTotal"));
  b.opt(attr(c, "Descuento"));
  b.req(attr(c, "Moneda"));
  b.opt(attr(c, "TipoCambio"));
  b.req(attr(c, "Total"));
  b.req(attr(c, "TipoDeComprobante"));
  b.req(attr(c, "Exportacion"));
  b.opt(attr(c, "MetodoPago"));
  b.req(attr(c, "LugarExpedicion"));
  b.opt(attr(c, "Confirmacion"));
  for (const g of childElements(c, N, "InformacionGlobal")) {
    b.req(attr(g, "Periodicidad"));
    b.req(attr(g, "Meses"));
    b.req(attr(g, "Año"));
  }
  for (const r of childElements(c, N, "CfdiRelacionados")) {
    b.req(attr(r, "TipoRelacion"));
    for (const u of childElements(r, N, "CfdiRelacionado")) b.req(attr(u, "UUID"));
  }
  for (const e of childElements(c, N, "Emisor")) {
    b.req(attr(e, "Rfc"));
    b.req(attr(e, "Nombre"));
    b.req(attr(e, "RegimenFiscal"));
    b.opt(attr(e, "FacAtrAdquirente"));
  }
  for (const r of childElements(c, N, "Receptor")) {
    b.req(attr(r, "Rfc"));
    b.req(attr(r, "Nombre"));
    b.req(attr(r, "DomicilioFiscalReceptor"));
    b.opt(attr(r, "ResidenciaFiscal"));
    b.opt(attr(r, "NumRegIdTrib"));
    b.req(attr(r, "RegimenFiscalReceptor"));
    b.req(attr(r, "UsoCFDI"));
  }
  for (const cs of childElements(c, N, "Conceptos")) {
    for (const k of childElements(cs, N, "Concepto")) concepto(k, c, b);
  }
  for (const i of childElements(c, N, "Impuestos")) {
    for (const rs of childElements(i, N, "Retenciones")) {
      for (const t of childElements(rs, N, "Retencion")) {
        b.req(attr(t, "Impuesto"));
        b.req(attr(t, "Importe"));
      }
    }
    b.opt(attr(i, "TotalImpuestosRetenidos"));
    for (const ts of childElements(i, N, "Traslados")) {
      for (const t of childElements(ts, N, "Traslado")) {
        b.req(attr(t, "Base"));
        b.req(attr(t, "Impuesto"));
        b.req(attr(t, "TipoFactor"));
        b.opt(attr(t, "TasaOCuota"));
        b.opt(attr(t, "Importe"));
      }
    }
    b.opt(attr(i, "TotalImpuestosTrasladados"));
  }
  for (const k of childElements(c, N, "Complemento")) complementContainer(k, c, b);
}

/** Cadena original of a CFDI 4.0 given as XML text. */
export function cadenaFromXml(xml: string): string {
  return cadenaFromElement(parseXml(xml));
}

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
 *
 * What each template prints of its own element is written once, as a `Layout` below. Two walks
 * visit the templates in the stylesheet's order and print those layouts: one over a parsed
 * document (anyone's CFDI), one over the `Comprobante` model (what we sign for invoices we build,
 * without an XML round trip), where lists of one-attribute elements are lists of strings and the
 * concepto's Impuestos wrapper is left out.
 */
import type {
  Comprobante,
  Concepto,
  ACuentaTerceros,
  CfdiRelacionados,
  Emisor,
  InformacionGlobal,
  Receptor,
  RetencionComprobante,
  RetencionConcepto,
  TrasladoConcepto,
} from "./model.ts";
import { CFDI_NS } from "./model.ts";
import type { XmlElement } from "./xml-parser.ts";
import { attr, childElements, descendants, parseXml } from "./xml-parser.ts";
import { COMPLEMENT_RULES } from "./complement-rules.ts";
import type { CadenaSink } from "./xslt-subset.ts";
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
  if (s.charCodeAt(0) !== 32 && s.charCodeAt(s.length - 1) !== 32 && !CONTROL_WS.test(s) && s.indexOf("  ") < 0)
    return s;
  let r = s.replace(WS_TO_COLLAPSE, " ");
  if (r.charCodeAt(0) === 32) r = r.slice(1);
  if (r.charCodeAt(r.length - 1) === 32) r = r.slice(0, -1);
  return r;
}

/** Two spaces, or a space next to a "|". */
const SPACE_RUN_OR_EDGE = / [ |]|\| /;

/**
 * Whether values joined as they are already are the cadena: normalize-space() changes a value only
 * if it holds a tab, CR, LF or run of spaces, or starts or ends with a space (then next to a "|").
 * Two scans of the joined cadena instead of a check per value; the control characters first, since
 * their class scans fastest and finds most values that need normalising.
 */
function isNormal(joined: string): boolean {
  return !CONTROL_WS.test(joined) && !SPACE_RUN_OR_EDGE.test(joined);
}

/**
 * When every "|" in the joined cadena is a separator (`values + 3` of them: "|" + one per value +
 * "||"), normalising the whole string — collapse whitespace runs, drop a space next to a "|" —
 * equals normalising value by value, in one or two regex passes instead of one call per value.
 */
function normalizeJoined(s: string, values: number, knownPipeFree: boolean): string | undefined {
  // Both patterns match only where something changes: a single space between two non-blanks and
  // a "|" without a neighbouring space are left alone, so text that is already normal costs a
  // scan and no rebuilding.
  const collapsed = s.replace(WS_TO_COLLAPSE, " ");
  // Every value sits between two "|" (the cadena starts and ends with "||"), so with no space next
  // to any "|" no collapsed value has a space to trim: each value's normalize-space() is its
  // collapse (a run never spans a "|"), and "|" inside values cannot matter.
  if (!SPACE_NEXT_TO_PIPE.test(collapsed)) return collapsed;
  // One native match scan counts the pipes several times faster than an indexOf loop.
  if (!knownPipeFree && (s.match(PIPE_G) as RegExpMatchArray).length !== values + 3) return undefined;
  return collapsed.replace(SPACE_BY_PIPE, "|");
}

// ---------------------------------------------------------------------------------------------
// What each template prints of its own element
// ---------------------------------------------------------------------------------------------

/** Names of the string-valued properties of a model type (its attributes). */
type AttributeName<T> = { [K in keyof T]-?: NonNullable<T[K]> extends string ? K : never }[keyof T] & string;

type Field<K extends string> = { readonly name: K; readonly required: boolean };

/**
 * The attributes one template prints, in its order: a name is a `Requerido` call, `opt(name)` an
 * `Opcional` one. `T` is the model type that holds them, so a misspelt name fails to compile.
 */
type Layout<T> = readonly Field<AttributeName<T>>[];

type Optional<K extends string> = { readonly optional: K };

function opt<K extends string>(name: K): Optional<K> {
  return { optional: name };
}

function layout<T>(...specs: (AttributeName<T> | Optional<AttributeName<T>>)[]): Layout<T> {
  return specs.map((s) =>
    typeof s === "string" ? { name: s, required: true } : { name: s.optional, required: false },
  );
}

const COMPROBANTE = layout<Comprobante>(
  "Version",
  opt("Serie"),
  opt("Folio"),
  "Fecha",
  opt("FormaPago"),
  "NoCertificado",
  opt("CondicionesDePago"),
  "SubTotal",
  opt("Descuento"),
  "Moneda",
  opt("TipoCambio"),
  "Total",
  "TipoDeComprobante",
  "Exportacion",
  opt("MetodoPago"),
  "LugarExpedicion",
  opt("Confirmacion"),
);
const INFORMACION_GLOBAL = layout<InformacionGlobal>("Periodicidad", "Meses", "Año");
const CFDI_RELACIONADOS = layout<CfdiRelacionados>("TipoRelacion");
const EMISOR = layout<Emisor>("Rfc", "Nombre", "RegimenFiscal", opt("FacAtrAdquirente"));
const RECEPTOR = layout<Receptor>(
  "Rfc",
  "Nombre",
  "DomicilioFiscalReceptor",
  opt("ResidenciaFiscal"),
  opt("NumRegIdTrib"),
  "RegimenFiscalReceptor",
  "UsoCFDI",
);
const CONCEPTO = layout<Concepto>(
  "ClaveProdServ",
  opt("NoIdentificacion"),
  "Cantidad",
  "ClaveUnidad",
  opt("Unidad"),
  "Descripcion",
  "ValorUnitario",
  "Importe",
  opt("Descuento"),
  "ObjetoImp",
);
/** The same template for the concepto's and the comprobante's Traslado. */
const TRASLADO = layout<TrasladoConcepto>("Base", "Impuesto", "TipoFactor", opt("TasaOCuota"), opt("Importe"));
const RETENCION_CONCEPTO = layout<RetencionConcepto>("Base", "Impuesto", "TipoFactor", "TasaOCuota", "Importe");
const RETENCION = layout<RetencionComprobante>("Impuesto", "Importe");
const A_CUENTA_TERCEROS = layout<ACuentaTerceros>(
  "RfcACuentaTerceros",
  "NombreACuentaTerceros",
  "RegimenFiscalACuentaTerceros",
  "DomicilioFiscalACuentaTerceros",
);
/** Not in the model: we never build a concepto with partes. */
const PARTE = layout<{
  ClaveProdServ: string;
  NoIdentificacion?: string;
  Cantidad: string;
  Unidad?: string;
  Descripcion: string;
  ValorUnitario?: string;
  Importe?: string;
}>(
  "ClaveProdServ",
  opt("NoIdentificacion"),
  "Cantidad",
  opt("Unidad"),
  "Descripcion",
  opt("ValorUnitario"),
  opt("Importe"),
);

// ---------------------------------------------------------------------------------------------
// Writing the cadena
// ---------------------------------------------------------------------------------------------

/**
 * Writes "|value" parts; `req`/`opt` mirror the two utilerias.xslt templates. With `normalize`
 * every value goes through normalize-space(); without it values are written as they are (see
 * `build`).
 */
class CadenaBuilder implements CadenaSink {
  private out = "|";
  /** Number of values written (each preceded by one "|"). */
  private values = 0;
  /** Whether XSLT's built-in rule copied text, which is written verbatim and never normalised. */
  private copiedText = false;
  private readonly normalize: boolean;

  constructor(normalize: boolean) {
    this.normalize = normalize;
  }

  req(v: string | undefined): void {
    this.write(v ?? "");
  }

  opt(v: string | undefined): void {
    if (v !== undefined) this.write(v);
  }

  private write(v: string): void {
    this.values++;
    this.out += this.normalize ? "|" + normalizeSpace(v) : "|" + v;
  }

  /**
   * A required value normalised in either mode: NumeroPedimento is written with double spaces by
   * definition ("21  47  3807  8003832"), and left as it is it would send every invoice that has
   * one down the value-by-value pass.
   */
  reqNormalized(v: string | undefined): void {
    this.values++;
    this.out += v === undefined ? "|" : "|" + normalizeSpace(v);
  }

  /** Text copied by XSLT's built-in rule: verbatim, no separator. */
  raw(s: string): void {
    this.copiedText = true;
    this.out += s;
  }

  /** A layout's values read from a model object. */
  fields<T>(source: T, layout: Layout<T>): void {
    for (const f of layout) {
      const v = source[f.name] as string | undefined;
      if (v !== undefined || f.required) this.req(v);
    }
  }

  /**
   * A layout's values read from an element's attributes without namespace (XPath `@Name`). CFDI
   * attributes come in Anexo 20 order, which is the layout's, so each search starts after the
   * attribute the previous one found and most cost one compare. The parser rejects two attributes
   * with the same expanded name, so where a search starts cannot change what it finds.
   */
  attributes(el: XmlElement, layout: readonly Field<string>[]): void {
    const list = el.attributes;
    const n = list.length;
    let i = 0;
    for (const f of layout) {
      let v: string | undefined;
      for (let k = 0; k < n; k++) {
        const a = list[i]!;
        if (++i === n) i = 0;
        if (a.local === f.name && a.ns === "") {
          v = a.value;
          break;
        }
      }
      if (v !== undefined || f.required) this.req(v);
    }
  }

  /** Everything written, closed with the root template's final "||". */
  finish(): string {
    return this.out + "||";
  }

  /**
   * The cadena, if values written as they are give it without a second walk: as they are when
   * none needs normalising, or through `normalizeJoined` when that applies. `pipeFree` says no
   * value contains "|". Undefined when text was copied by the built-in rule (never normalised,
   * so the whole-string passes cannot tell it from values) or `normalizeJoined` cannot decide.
   */
  exactCadena(pipeFree: boolean): string | undefined {
    if (this.copiedText) return undefined;
    const s = this.finish();
    return isNormal(s) ? s : normalizeJoined(s, this.values, pipeFree);
  }
}

/**
 * Runs a walk over the templates and returns the cadena. normalize-space() is the identity for
 * almost every value, so the walk first writes values as they are and the finished cadena is
 * checked once; only when that cannot give the cadena does the walk run again, normalising value
 * by value.
 */
function build(walk: (b: CadenaBuilder) => void, pipeFree: boolean): string {
  const asWritten = new CadenaBuilder(false);
  walk(asWritten);
  const cadena = asWritten.exactCadena(pipeFree);
  if (cadena !== undefined) return cadena;
  const normalized = new CadenaBuilder(true);
  walk(normalized);
  return normalized.finish();
}

// ---------------------------------------------------------------------------------------------
// From XML (anyone's CFDI): the templates over the parsed document
// ---------------------------------------------------------------------------------------------

const N = CFDI_NS;

/** Cadena original of a CFDI 4.0 given as XML text. */
export function cadenaFromXml(xml: string): string {
  return cadenaFromElement(parseXml(xml));
}

/** Cadena original from a parsed document. */
export function cadenaFromElement(root: XmlElement): string {
  // A root other than cfdi:Comprobante: the root template still prints its "|" … "||" around nothing.
  if (root.ns !== N || root.local !== "Comprobante") return "|||";
  // The parser knows whether any attribute value contains "|"; text nodes only reach the cadena
  // through the built-in rule, which always takes the value-by-value pass.
  return build((b) => comprobanteElement(root, b), root.pipeInAttributes === false);
}

function comprobanteElement(c: XmlElement, b: CadenaBuilder): void {
  b.attributes(c, COMPROBANTE);
  for (const g of childElements(c, N, "InformacionGlobal")) b.attributes(g, INFORMACION_GLOBAL);
  for (const r of childElements(c, N, "CfdiRelacionados")) {
    b.attributes(r, CFDI_RELACIONADOS);
    for (const u of childElements(r, N, "CfdiRelacionado")) b.req(attr(u, "UUID"));
  }
  for (const e of childElements(c, N, "Emisor")) b.attributes(e, EMISOR);
  for (const r of childElements(c, N, "Receptor")) b.attributes(r, RECEPTOR);
  for (const cs of childElements(c, N, "Conceptos")) {
    for (const k of childElements(cs, N, "Concepto")) conceptoElement(k, c, b);
  }
  for (const i of childElements(c, N, "Impuestos")) {
    for (const rs of childElements(i, N, "Retenciones")) {
      for (const t of childElements(rs, N, "Retencion")) b.attributes(t, RETENCION);
    }
    b.opt(attr(i, "TotalImpuestosRetenidos"));
    for (const ts of childElements(i, N, "Traslados")) {
      for (const t of childElements(ts, N, "Traslado")) b.attributes(t, TRASLADO);
    }
    b.opt(attr(i, "TotalImpuestosTrasladados"));
  }
  for (const k of childElements(c, N, "Complemento")) complementContainer(k, c, b);
}

function conceptoElement(k: XmlElement, root: XmlElement, b: CadenaBuilder): void {
  b.attributes(k, CONCEPTO);
  // Every Traslado under every Impuestos, then every Retencion.
  const impuestos = childElements(k, N, "Impuestos");
  for (const imp of impuestos) {
    for (const ts of childElements(imp, N, "Traslados")) {
      for (const t of childElements(ts, N, "Traslado")) b.attributes(t, TRASLADO);
    }
  }
  for (const imp of impuestos) {
    for (const rs of childElements(imp, N, "Retenciones")) {
      for (const t of childElements(rs, N, "Retencion")) b.attributes(t, RETENCION_CONCEPTO);
    }
  }
  for (const a of childElements(k, N, "ACuentaTerceros")) b.attributes(a, A_CUENTA_TERCEROS);
  for (const a of childElements(k, N, "InformacionAduanera")) b.reqNormalized(attr(a, "NumeroPedimento"));
  for (const a of childElements(k, N, "CuentaPredial")) b.req(attr(a, "Numero"));
  for (const a of childElements(k, N, "ComplementoConcepto")) complementContainer(a, root, b);
  for (const p of descendants(k, N, "Parte")) {
    b.attributes(p, PARTE);
    for (const a of descendants(p, N, "InformacionAduanera")) b.reqNormalized(attr(a, "NumeroPedimento"));
  }
}

function complementContainer(el: XmlElement, root: XmlElement, b: CadenaBuilder): void {
  for (const c of el.children) if (typeof c !== "string") applyTemplates(c, root, COMPLEMENT_RULES, b);
}

// ---------------------------------------------------------------------------------------------
// From the model: the same templates over the invoice we are about to write
// ---------------------------------------------------------------------------------------------

/** Cadena original of a comprobante model (the values as they will be written into the XML). */
export function cadenaFromModel(c: Comprobante): string {
  return build((b) => comprobanteModel(c, b), false);
}

function comprobanteModel(c: Comprobante, b: CadenaBuilder): void {
  b.fields(c, COMPROBANTE);
  if (c.InformacionGlobal) b.fields(c.InformacionGlobal, INFORMACION_GLOBAL);
  for (const r of c.CfdiRelacionados ?? []) {
    b.fields(r, CFDI_RELACIONADOS);
    for (const uuid of r.UUIDs) b.req(uuid);
  }
  b.fields(c.Emisor, EMISOR);
  b.fields(c.Receptor, RECEPTOR);
  for (const k of c.Conceptos) conceptoModel(k, b);
  const i = c.Impuestos;
  if (i) {
    for (const t of i.Retenciones ?? []) b.fields(t, RETENCION);
    b.opt(i.TotalImpuestosRetenidos);
    for (const t of i.Traslados ?? []) b.fields(t, TRASLADO);
    b.opt(i.TotalImpuestosTrasladados);
  }
}

function conceptoModel(k: Concepto, b: CadenaBuilder): void {
  b.fields(k, CONCEPTO);
  for (const t of k.Traslados ?? []) b.fields(t, TRASLADO);
  for (const t of k.Retenciones ?? []) b.fields(t, RETENCION_CONCEPTO);
  if (k.ACuentaTerceros) b.fields(k.ACuentaTerceros, A_CUENTA_TERCEROS);
  for (const pedimento of k.InformacionAduanera ?? []) b.reqNormalized(pedimento);
  for (const numero of k.CuentaPredial ?? []) b.req(numero);
}

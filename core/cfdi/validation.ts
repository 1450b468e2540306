/**
 * Validation of an invoice before anything is signed: every problem is collected (not just the
 * first) with the input path, a stable code and a Spanish message the user can act on. The rules
 * come from cfdv40.xsd (formats), the catalogs and the Anexo 20 "Matriz de errores" (CFDI40xxx),
 * the validations a PAC runs when stamping; catching them here saves a failed stamp.
 */
import type { Decimal } from "../money/decimal.ts";
import { compare, formatDecimal, isDecimalString, parseDecimal, significantScale } from "../money/decimal.ts";
import type { TaxSpec } from "./amounts.ts";
import {
  EXPORTACION,
  FORMA_PAGO,
  IMPUESTO,
  MESES,
  METODO_PAGO,
  MONEDA,
  OBJETO_IMP,
  PERIODICIDAD,
  REGIMEN_FISCAL,
  TASA_O_CUOTA,
  TIPO_RELACION,
  USO_CFDI,
} from "./catalogs.ts";
import type { Issue } from "./errors.ts";
import type { ConceptoInput, InvoiceInput, TaxInput } from "./invoice-input.ts";
import { RFC_EXTRANJERO, RFC_PUBLICO_EN_GENERAL, checkRfc } from "./rfc.ts";

export type ParsedTax = TaxSpec & { readonly path: string };

export type ParsedConcepto = {
  readonly input: ConceptoInput;
  readonly cantidad: Decimal;
  readonly cantidadText: string;
  readonly valorUnitario: Decimal;
  readonly valorUnitarioText: string;
  readonly descuento?: Decimal;
  readonly traslados: ParsedTax[];
  readonly retenciones: ParsedTax[];
};

export type ParsedInvoice = {
  readonly input: InvoiceInput;
  readonly moneda: string;
  readonly decimals: number;
  readonly tipoCambio?: string;
  readonly exportacion: string;
  readonly conceptos: ParsedConcepto[];
  readonly totalEsperado?: Decimal;
};

const IMPUESTO_ALIAS: Record<string, string> = { ISR: "001", IVA: "002", IEPS: "003" };
export const FECHA_RE =
  /^(20[1-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/;
export const CP_RE = /^[0-9]{5}$/;
export const UUID_RE = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/;
const PEDIMENTO_RE = /^[0-9]{2} {2}[0-9]{2} {2}[0-9]{4} {2}[0-9]{7}$/;
const PREDIAL_RE = /^[0-9a-zA-Z]{1,150}$/;
// XML 1.0 Char production: no C0 controls except tab/LF/CR, no U+FFFE/U+FFFF, no lone surrogates.
const XML_ILLEGAL_RE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_AMOUNT_DIGITS = 18;

export function normalizeImpuesto(v: string): string {
  return IMPUESTO_ALIAS[v.toUpperCase()] ?? v;
}

/** Gathers every issue found (validation reports all problems at once). */
export class Collector {
  readonly issues: Issue[] = [];
  add(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  /** Free text attribute: required/optional, max length, SAT's "[^|]" pattern, XML-legal chars. */
  text(path: string, value: unknown, label: string, max: number, required: boolean): string | undefined {
    if (value === undefined || value === null || value === "") {
      if (required) this.add(path, "REQUIRED", `${label} es obligatorio.`);
      return undefined;
    }
    if (typeof value !== "string") {
      this.add(path, "TYPE", `${label} debe ser texto.`);
      return undefined;
    }
    const collapsed = value.replace(/[ \t\r\n]+/g, " ").trim();
    if (!collapsed) this.add(path, "REQUIRED", `${label} no puede estar vacío.`);
    else if ([...collapsed].length > max) this.add(path, "TOO_LONG", `${label} admite como máximo ${max} caracteres.`);
    if (value.includes("|"))
      this.add(
        path,
        "PIPE_CHAR",
        `${label} no puede contener el carácter "|" (separa los campos de la cadena original).`,
      );
    if (XML_ILLEGAL_RE.test(value))
      this.add(path, "ILLEGAL_CHAR", `${label} contiene caracteres de control no permitidos en XML.`);
    return value;
  }

  code<T>(
    path: string,
    value: unknown,
    label: string,
    catalog: Readonly<Record<string, T>>,
    catalogName: string,
    required = true,
  ): string | undefined {
    if (value === undefined || value === null || value === "") {
      if (required) this.add(path, "REQUIRED", `${label} es obligatorio.`);
      return undefined;
    }
    if (typeof value !== "string" || !Object.hasOwn(catalog, value)) {
      this.add(path, "CATALOG", `${label} "${String(value)}" no existe en el catálogo ${catalogName}.`);
      return undefined;
    }
    return value;
  }

  /** Decimal given as string (or integer JSON number): sign, max decimals, > 0 / ≥ 0. */
  decimal(
    path: string,
    value: unknown,
    label: string,
    maxDecimals: number,
    opts: { positive?: boolean; required?: boolean } = {},
  ): { d: Decimal; text: string } | undefined {
    if (value === undefined || value === null || value === "") {
      if (opts.required !== false) this.add(path, "REQUIRED", `${label} es obligatorio.`);
      return undefined;
    }
    let text: string;
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) {
        this.add(
          path,
          "AMOUNT_NOT_STRING",
          `${label}: escriba los importes con decimales como texto ("12.50"); un número JSON con decimales pierde precisión.`,
        );
        return undefined;
      }
      text = String(value);
    } else if (typeof value === "string") {
      text = value.trim();
    } else {
      this.add(path, "TYPE", `${label} debe ser un número decimal escrito como texto.`);
      return undefined;
    }
    if (!isDecimalString(text)) {
      this.add(
        path,
        "DECIMAL_FORMAT",
        `${label} "${text}" no es un número decimal válido (use punto decimal, sin separador de miles).`,
      );
      return undefined;
    }
    const d = parseDecimal(text);
    if (d.units < 0n) {
      this.add(path, "NEGATIVE", `${label} no puede ser negativo.`);
      return undefined;
    }
    if (opts.positive && d.units === 0n) {
      this.add(path, "NOT_POSITIVE", `${label} debe ser mayor que cero.`);
      return undefined;
    }
    if (significantScale(d) > maxDecimals) {
      this.add(path, "TOO_MANY_DECIMALS", `${label} admite como máximo ${maxDecimals} decimales.`);
      return undefined;
    }
    if (
      formatDecimal(d)
        .replace(/^-/, "")
        .split(".")[0]!
        .replace(/^0+(?=\d)/, "").length > MAX_AMOUNT_DIGITS
    ) {
      this.add(path, "TOO_LARGE", `${label} excede 18 dígitos enteros.`);
      return undefined;
    }
    if (text.startsWith("+")) text = text.slice(1);
    return { d, text };
  }
}

export function checkRfcAt(
  c: Collector,
  path: string,
  rfc: unknown,
  label: string,
): ReturnType<typeof checkRfc> | undefined {
  if (typeof rfc !== "string" || !rfc) {
    c.add(path, "REQUIRED", `${label} es obligatorio.`);
    return undefined;
  }
  const r = checkRfc(rfc);
  if (!r.ok) c.add(path, r.code, r.message);
  return r;
}

function checkRate(
  c: Collector,
  path: string,
  impuesto: string,
  factor: "Tasa" | "Cuota",
  traslado: boolean,
  rate: Decimal,
): void {
  const rows = TASA_O_CUOTA.filter(
    (r) => r.impuesto === impuesto && r.factor === factor && (traslado ? r.traslado : r.retencion),
  );
  const nombre = IMPUESTO[impuesto]?.descripcion ?? impuesto;
  if (!rows.length) {
    c.add(
      path,
      "TASA_O_CUOTA",
      `${nombre} no admite el tipo de factor ${factor} en ${traslado ? "traslados" : "retenciones"}.`,
    );
    return;
  }
  const ok = rows.some((r) =>
    r.fixed
      ? r.fixed.some((f) => compare(parseDecimal(f), rate) === 0)
      : r.range
        ? compare(rate, parseDecimal(r.range[0])) >= 0 && compare(rate, parseDecimal(r.range[1])) <= 0
        : false,
  );
  if (!ok) {
    const allowed = rows.map((r) => (r.fixed ? r.fixed.join(", ") : `${r.range?.[0]} a ${r.range?.[1]}`)).join("; ");
    c.add(
      path,
      "TASA_O_CUOTA",
      `La tasa o cuota ${formatDecimal(rate, 6)} no es válida para ${nombre} (${factor}, ${traslado ? "traslado" : "retención"}); valores permitidos: ${allowed}.`,
    );
  }
}

/**
 * `scope` "concepto": one traslado / retención per impuesto (two IVA rates on one line are a
 * contradiction). "documento": a paid invoice's taxes (Pagos 2.0 ImpuestosDR), where IVA 16 % and
 * IVA Exento of different lines stand side by side — one entry per impuesto, factor and rate.
 */
export function parseTaxes(
  c: Collector,
  path: string,
  list: TaxInput[] | undefined,
  traslado: boolean,
  scope: "concepto" | "documento" = "concepto",
): ParsedTax[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    c.add(path, "TYPE", "Debe ser una lista.");
    return [];
  }
  const out: ParsedTax[] = [];
  const seen = new Set<string>();
  list.forEach((t, i) => {
    const p = `${path}[${i}]`;
    const impuesto = normalizeImpuesto(String(t?.impuesto ?? ""));
    const cat = IMPUESTO[impuesto];
    if (!cat) {
      c.add(
        `${p}.impuesto`,
        "CATALOG",
        `El impuesto "${String(t?.impuesto ?? "")}" no existe en c_Impuesto (001 ISR, 002 IVA, 003 IEPS).`,
      );
      return;
    }
    if (traslado && !cat.traslado) {
      c.add(
        `${p}.impuesto`,
        "IMPUESTO_NO_TRASLADABLE",
        `${cat.descripcion} no se traslada; regístrelo como retención.`,
      );
      return;
    }
    const factor = t.tipoFactor;
    if (factor !== "Tasa" && factor !== "Cuota" && factor !== "Exento") {
      c.add(
        `${p}.tipoFactor`,
        "CATALOG",
        `El tipo de factor "${String(factor)}" no existe en c_TipoFactor (Tasa, Cuota, Exento).`,
      );
      return;
    }
    if (!traslado && factor === "Exento") {
      c.add(`${p}.tipoFactor`, "RETENCION_EXENTA", "Una retención no puede ser Exento.");
      return;
    }
    const base = t.base === undefined ? undefined : c.decimal(`${p}.base`, t.base, "La base", 6, { positive: true });
    if (factor === "Exento") {
      if (t.tasaOCuota !== undefined)
        c.add(`${p}.tasaOCuota`, "EXENTO_CON_TASA", "Un traslado Exento no lleva tasa o cuota.");
      const key = scope === "concepto" ? impuesto : `${impuesto}|Exento`;
      if (seen.has(key))
        c.add(
          p,
          "IMPUESTO_DUPLICADO",
          `${cat.descripcion} aparece dos veces en los traslados del ${scope === "concepto" ? "concepto" : "documento"}.`,
        );
      seen.add(key);
      out.push({ impuesto, tipoFactor: "Exento", ...(base ? { base: base.d } : {}), path: p });
      return;
    }
    const rate = c.decimal(`${p}.tasaOCuota`, t.tasaOCuota, "La tasa o cuota", 6);
    if (!rate) return;
    checkRate(c, `${p}.tasaOCuota`, impuesto, factor, traslado, rate.d);
    // One traslado / one retención per impuesto and concept: two IVA rates on one line is a
    // contradiction the PAC rejects; split the concept instead.
    const key = scope === "concepto" ? impuesto : `${impuesto}|${factor}|${formatDecimal(rate.d)}`;
    if (seen.has(key))
      c.add(
        p,
        "IMPUESTO_DUPLICADO",
        scope === "concepto"
          ? `${cat.descripcion} aparece dos veces en ${traslado ? "los traslados" : "las retenciones"} del concepto; divida el concepto si aplican tasas distintas.`
          : `${cat.descripcion} aparece dos veces con el mismo factor y tasa en ${traslado ? "los traslados" : "las retenciones"} del documento.`,
      );
    seen.add(key);
    out.push({ impuesto, tipoFactor: factor, tasaOCuota: rate.d, ...(base ? { base: base.d } : {}), path: p });
  });
  return out;
}

/** CFDI date-time "AAAA-MM-DDThh:mm:ss" (t_FechaH) that exists in the calendar. */
export function isFechaHora(v: unknown): boolean {
  return (
    typeof v === "string" &&
    FECHA_RE.test(v) &&
    !Number.isNaN(Date.parse(`${v}Z`)) &&
    new Date(`${v}Z`).toISOString().slice(0, 19) === v
  );
}

/** Emisor checks shared by every comprobante type (RFC, nombre, régimen vs persona). */
export function checkEmisor(c: Collector, emisor: InvoiceInput["emisor"] | undefined): void {
  // --- Emisor --------------------------------------------------------------------------------
  const e = emisor ?? ({} as InvoiceInput["emisor"]);
  if (!emisor) c.add("emisor", "REQUIRED", "Faltan los datos del emisor.");
  const erfc = checkRfcAt(c, "emisor.rfc", e.rfc, "El RFC del emisor");
  c.text("emisor.nombre", e.nombre, "El nombre del emisor", 300, true);
  const eReg = c.code(
    "emisor.regimenFiscal",
    e.regimenFiscal,
    "El régimen fiscal del emisor",
    REGIMEN_FISCAL,
    "c_RegimenFiscal",
  );
  if (erfc?.ok) {
    if (e.rfc === RFC_PUBLICO_EN_GENERAL || e.rfc === RFC_EXTRANJERO)
      c.add("emisor.rfc", "RFC_GENERICO_EMISOR", "El emisor no puede usar un RFC genérico.");
    if (eReg && !REGIMEN_FISCAL[eReg]?.[erfc.persona]) {
      c.add(
        "emisor.regimenFiscal",
        "REGIMEN_PERSONA",
        `El régimen ${eReg} (${REGIMEN_FISCAL[eReg]?.descripcion}) no aplica a una persona ${erfc.persona === "moral" ? "moral (RFC de 12 caracteres)" : "física (RFC de 13 caracteres)"}.`,
      );
    }
  }
  if (e.facAtrAdquirente !== undefined && !/^[0-9]{10}$/.test(String(e.facAtrAdquirente)))
    c.add("emisor.facAtrAdquirente", "FAC_ATR_FORMAT", "FacAtrAdquirente debe tener 10 dígitos.");
}

/**
 * Receptor checks shared by every comprobante type (RFC, régimen and uso vs persona, RFC
 * genérico, extranjero). Returns the receptor's name as given.
 */
export function checkReceptor(
  c: Collector,
  receptor: InvoiceInput["receptor"] | undefined,
  lugarExpedicion: unknown,
): string | undefined {
  // --- Receptor ------------------------------------------------------------------------------
  const r = receptor ?? ({} as InvoiceInput["receptor"]);
  if (!receptor) c.add("receptor", "REQUIRED", "Faltan los datos del receptor.");
  const rrfc = checkRfcAt(c, "receptor.rfc", r.rfc, "El RFC del receptor");
  const rNombre = c.text("receptor.nombre", r.nombre, "El nombre del receptor", 300, true);
  if (typeof r.domicilioFiscal !== "string" || !CP_RE.test(r.domicilioFiscal))
    c.add(
      "receptor.domicilioFiscal",
      "CP_FORMAT",
      "El domicilio fiscal del receptor debe ser un código postal de 5 dígitos.",
    );
  const rReg = c.code(
    "receptor.regimenFiscal",
    r.regimenFiscal,
    "El régimen fiscal del receptor",
    REGIMEN_FISCAL,
    "c_RegimenFiscal",
  );
  const uso = c.code("receptor.usoCfdi", r.usoCfdi, "El uso del CFDI", USO_CFDI, "c_UsoCFDI");
  const generic = r.rfc === RFC_PUBLICO_EN_GENERAL || r.rfc === RFC_EXTRANJERO;
  if (generic) {
    // Anexo 20, guía de llenado: RFC genérico → régimen 616, uso S01 (o CP01), domicilio = LugarExpedicion.
    if (rReg && rReg !== "616")
      c.add(
        "receptor.regimenFiscal",
        "REGIMEN_RFC_GENERICO",
        'Con RFC genérico el régimen fiscal del receptor debe ser "616" (Sin obligaciones fiscales).',
      );
    if (uso && uso !== "S01" && uso !== "CP01")
      c.add(
        "receptor.usoCfdi",
        "USO_RFC_GENERICO",
        'Con RFC genérico el uso del CFDI debe ser "S01" (Sin efectos fiscales).',
      );
    if (r.domicilioFiscal && lugarExpedicion && r.domicilioFiscal !== lugarExpedicion) {
      c.add(
        "receptor.domicilioFiscal",
        "DOMICILIO_RFC_GENERICO",
        "Con RFC genérico el domicilio fiscal del receptor debe ser igual al lugar de expedición.",
      );
    }
  } else if (rrfc?.ok) {
    if (rReg && !REGIMEN_FISCAL[rReg]?.[rrfc.persona]) {
      c.add(
        "receptor.regimenFiscal",
        "REGIMEN_PERSONA",
        `El régimen ${rReg} (${REGIMEN_FISCAL[rReg]?.descripcion}) no aplica a una persona ${rrfc.persona === "moral" ? "moral (RFC de 12 caracteres)" : "física (RFC de 13 caracteres)"}.`,
      );
    }
    const u = uso ? USO_CFDI[uso] : undefined;
    if (u && !u[rrfc.persona])
      c.add(
        "receptor.usoCfdi",
        "USO_PERSONA",
        `El uso ${uso} (${u.descripcion}) no aplica a una persona ${rrfc.persona}.`,
      );
    else if (u && rReg && !u.regimenes.includes(rReg))
      c.add(
        "receptor.usoCfdi",
        "USO_REGIMEN",
        `El uso ${uso} (${u.descripcion}) no es válido para el régimen fiscal ${rReg} del receptor.`,
      );
  }
  if (r.rfc === RFC_EXTRANJERO) {
    if (!r.residenciaFiscal || r.residenciaFiscal === "MEX")
      c.add(
        "receptor.residenciaFiscal",
        "RESIDENCIA_REQUIRED",
        "Para un receptor extranjero (XEXX010101000) indique su país de residencia fiscal (c_Pais, distinto de MEX).",
      );
    if (!r.numRegIdTrib)
      c.add(
        "receptor.numRegIdTrib",
        "NUM_REG_ID_TRIB_REQUIRED",
        "Para un receptor extranjero indique su número de registro de identidad fiscal.",
      );
  } else if (r.residenciaFiscal !== undefined || r.numRegIdTrib !== undefined) {
    c.add(
      "receptor.residenciaFiscal",
      "RESIDENCIA_NO_APLICA",
      "La residencia fiscal y el NumRegIdTrib solo se registran para receptores extranjeros (RFC XEXX010101000).",
    );
  }
  if (r.residenciaFiscal !== undefined && !/^[A-Z]{3}$/.test(String(r.residenciaFiscal)))
    c.add(
      "receptor.residenciaFiscal",
      "CATALOG",
      "La residencia fiscal debe ser una clave de país de 3 letras (c_Pais).",
    );
  if (r.numRegIdTrib !== undefined) c.text("receptor.numRegIdTrib", r.numRegIdTrib, "El NumRegIdTrib", 40, false);
  return rNombre;
}

/** Validates and parses the input. `parsed` is returned only when there are no issues. */
export function validateInvoiceInput(input: InvoiceInput): { issues: Issue[]; parsed?: ParsedInvoice } {
  const c = new Collector();
  if (typeof input !== "object" || input === null) {
    c.add("", "TYPE", "La factura debe ser un objeto JSON.");
    return { issues: c.issues };
  }

  // --- Comprobante ---------------------------------------------------------------------------
  const tipo = input.tipoDeComprobante;
  if (tipo !== "I" && tipo !== "E") {
    c.add(
      "tipoDeComprobante",
      tipo === "T" || tipo === "N" || tipo === "P" ? "TIPO_NO_SOPORTADO" : "CATALOG",
      `Tipo de comprobante "${String(tipo)}" no soportado: este motor emite I (ingreso) y E (egreso).`,
    );
  }
  c.text("serie", input.serie, "La serie", 25, false);
  c.text("folio", input.folio, "El folio", 40, false);
  c.text("condicionesDePago", input.condicionesDePago, "Las condiciones de pago", 1000, false);
  if (input.fecha !== undefined && !isFechaHora(input.fecha)) {
    c.add(
      "fecha",
      "FECHA_FORMAT",
      'La fecha debe tener el formato AAAA-MM-DDThh:mm:ss (hora local del lugar de expedición), por ejemplo "2025-03-01T10:30:00".',
    );
  }
  if (typeof input.lugarExpedicion !== "string" || !CP_RE.test(input.lugarExpedicion)) {
    c.add("lugarExpedicion", "CP_FORMAT", "El lugar de expedición debe ser un código postal de 5 dígitos.");
  }
  if (input.confirmacion !== undefined && !/^[0-9a-zA-Z]{5}$/.test(String(input.confirmacion))) {
    c.add("confirmacion", "CONFIRMACION_FORMAT", "La clave de confirmación debe tener 5 caracteres alfanuméricos.");
  }
  const exportacion =
    c.code("exportacion", input.exportacion ?? "01", "La clave de exportación", EXPORTACION, "c_Exportacion") ?? "01";
  if (exportacion === "02") {
    // Anexo 20: Exportacion "02" (definitiva con clave A1) requires the Comercio Exterior complement.
    c.add(
      "exportacion",
      "EXPORTACION_REQUIERE_CCE",
      'La exportación definitiva con clave A1 ("02") requiere el complemento de Comercio Exterior, que este motor aún no genera.',
    );
  }

  const moneda =
    c.code("moneda", input.moneda ?? "MXN", "La moneda", MONEDA, "c_Moneda (o no está soportada por este motor)") ??
    "MXN";
  const decimals = MONEDA[moneda]?.decimales ?? 2;
  let tipoCambio: string | undefined;
  if (moneda === "MXN") {
    if (input.tipoCambio !== undefined && !/^1(\.0{1,6})?$/.test(String(input.tipoCambio))) {
      c.add("tipoCambio", "TIPO_CAMBIO_MXN", 'Con moneda MXN el tipo de cambio debe omitirse o ser "1".');
    } else if (input.tipoCambio !== undefined) tipoCambio = "1";
  } else if (moneda === "XXX") {
    if (input.tipoCambio !== undefined)
      c.add("tipoCambio", "TIPO_CAMBIO_XXX", "Con moneda XXX no se registra tipo de cambio.");
  } else {
    const tc = c.decimal(
      "tipoCambio",
      input.tipoCambio,
      `El tipo de cambio (obligatorio cuando la moneda es ${moneda})`,
      6,
      { positive: true },
    );
    if (tc) tipoCambio = tc.text;
  }

  const forma = c.code("formaPago", input.formaPago, "La forma de pago", FORMA_PAGO, "c_FormaPago");
  const metodo = c.code("metodoPago", input.metodoPago, "El método de pago", METODO_PAGO, "c_MetodoPago");
  if (metodo === "PPD" && forma && forma !== "99") {
    c.add(
      "formaPago",
      "FORMA_PAGO_PPD",
      'Con método de pago PPD (parcialidades o diferido) la forma de pago debe ser "99" (Por definir); la forma real va en el complemento de pago.',
    );
  }
  if (metodo === "PUE" && forma === "99") {
    c.add(
      "formaPago",
      "FORMA_PAGO_PUE",
      'Con método de pago PUE (una sola exhibición) registre la forma de pago real; "99" (Por definir) solo aplica con PPD.',
    );
  }

  checkEmisor(c, input.emisor);
  const rNombre = checkReceptor(c, input.receptor, input.lugarExpedicion);
  const r = input.receptor ?? ({} as InvoiceInput["receptor"]);

  // --- InformacionGlobal (factura global a público en general) ------------------------------
  const publicoEnGeneral =
    r.rfc === RFC_PUBLICO_EN_GENERAL &&
    typeof rNombre === "string" &&
    rNombre.trim().toUpperCase() === "PUBLICO EN GENERAL";
  const g = input.informacionGlobal;
  if (g) {
    if (r.rfc !== RFC_PUBLICO_EN_GENERAL)
      c.add(
        "informacionGlobal",
        "INFO_GLOBAL_NO_APLICA",
        "La información global solo aplica a facturas globales con RFC XAXX010101000.",
      );
    const per = c.code(
      "informacionGlobal.periodicidad",
      g.periodicidad,
      "La periodicidad",
      PERIODICIDAD,
      "c_Periodicidad",
    );
    const mes = c.code("informacionGlobal.meses", g.meses, "El mes o bimestre", MESES, "c_Meses");
    if (per && mes) {
      const bimestral = per === "05";
      if (bimestral !== Number(mes) >= 13)
        c.add(
          "informacionGlobal.meses",
          "MESES_PERIODICIDAD",
          bimestral
            ? "Con periodicidad bimestral use un bimestre (13 a 18)."
            : "Con esta periodicidad use un mes (01 a 12).",
        );
    }
    const year = String(g.año);
    const fechaYear = Number((input.fecha ?? new Date().toISOString()).slice(0, 4));
    if (!/^[0-9]{4}$/.test(year) || Number(year) < 2021 || Number(year) > fechaYear || Number(year) < fechaYear - 1) {
      c.add(
        "informacionGlobal.año",
        "AÑO_INVALIDO",
        "El año de la información global debe ser el año de la fecha del comprobante o el anterior.",
      );
    }
  } else if (publicoEnGeneral) {
    c.add(
      "informacionGlobal",
      "INFO_GLOBAL_REQUIRED",
      'Una factura a "PUBLICO EN GENERAL" requiere la información global (periodicidad, meses y año).',
    );
  }

  // --- CfdiRelacionados -------------------------------------------------------------------
  (input.cfdiRelacionados ?? []).forEach((rel, i) => {
    c.code(
      `cfdiRelacionados[${i}].tipoRelacion`,
      rel?.tipoRelacion,
      "El tipo de relación",
      TIPO_RELACION,
      "c_TipoRelacion",
    );
    if (!Array.isArray(rel?.uuids) || rel.uuids.length === 0)
      c.add(`cfdiRelacionados[${i}].uuids`, "REQUIRED", "Indique al menos un UUID relacionado.");
    else
      rel.uuids.forEach((u, j) => {
        if (typeof u !== "string" || !UUID_RE.test(u))
          c.add(
            `cfdiRelacionados[${i}].uuids[${j}]`,
            "UUID_FORMAT",
            `"${String(u)}" no es un UUID (folio fiscal) válido.`,
          );
      });
  });

  // --- Conceptos ------------------------------------------------------------------------------
  const conceptos: ParsedConcepto[] = [];
  if (!Array.isArray(input.conceptos) || input.conceptos.length === 0) {
    c.add("conceptos", "REQUIRED", "La factura debe tener al menos un concepto.");
  } else {
    input.conceptos.forEach((k, i) => {
      const p = `conceptos[${i}]`;
      if (typeof k !== "object" || k === null) {
        c.add(p, "TYPE", "Cada concepto debe ser un objeto.");
        return;
      }
      if (typeof k.claveProdServ !== "string" || !/^[0-9]{8}$/.test(k.claveProdServ))
        c.add(
          `${p}.claveProdServ`,
          "CLAVE_PROD_SERV",
          "La clave de producto o servicio debe tener 8 dígitos (c_ClaveProdServ).",
        );
      if (typeof k.claveUnidad !== "string" || !/^[A-Z0-9]{1,3}$/.test(k.claveUnidad))
        c.add(
          `${p}.claveUnidad`,
          "CLAVE_UNIDAD",
          "La clave de unidad debe tener de 1 a 3 caracteres en mayúsculas o dígitos (c_ClaveUnidad, p. ej. H87, E48, ACT).",
        );
      c.text(`${p}.noIdentificacion`, k.noIdentificacion, "El número de identificación", 100, false);
      c.text(`${p}.unidad`, k.unidad, "La unidad", 20, false);
      c.text(`${p}.descripcion`, k.descripcion, "La descripción", 1000, true);
      const cantidad = c.decimal(`${p}.cantidad`, k.cantidad, "La cantidad", 6, { positive: true });
      const valor = c.decimal(`${p}.valorUnitario`, k.valorUnitario, "El valor unitario", 6, { positive: true });
      const descuento =
        k.descuento === undefined ? undefined : c.decimal(`${p}.descuento`, k.descuento, "El descuento", decimals);
      const objeto = c.code(`${p}.objetoImp`, k.objetoImp, "El objeto de impuesto", OBJETO_IMP, "c_ObjetoImp");
      const traslados = parseTaxes(c, `${p}.traslados`, k.traslados, true);
      const retenciones = parseTaxes(c, `${p}.retenciones`, k.retenciones, false);
      const hasTaxes = (k.traslados?.length ?? 0) + (k.retenciones?.length ?? 0) > 0;
      if (objeto === "02" && !hasTaxes)
        c.add(
          `${p}.objetoImp`,
          "OBJETO_IMP_SIN_IMPUESTOS",
          'Con objeto de impuesto "02" el concepto debe llevar al menos un traslado o una retención.',
        );
      if (objeto && objeto !== "02" && hasTaxes)
        c.add(
          `${p}.objetoImp`,
          "OBJETO_IMP_CON_IMPUESTOS",
          `Con objeto de impuesto "${objeto}" (${OBJETO_IMP[objeto]}) el concepto no lleva impuestos; use "02" para desglosarlos.`,
        );
      if (objeto && Number(objeto) >= 5)
        c.add(
          `${p}.objetoImp`,
          "OBJETO_IMP_NO_SOPORTADO",
          `El objeto de impuesto "${objeto}" aún no está soportado por este motor.`,
        );
      if (k.aCuentaTerceros) {
        const t = k.aCuentaTerceros;
        const tp = `${p}.aCuentaTerceros`;
        const trfc = checkRfcAt(c, `${tp}.rfc`, t.rfc, "El RFC del tercero");
        c.text(`${tp}.nombre`, t.nombre, "El nombre del tercero", 300, true);
        const treg = c.code(
          `${tp}.regimenFiscal`,
          t.regimenFiscal,
          "El régimen fiscal del tercero",
          REGIMEN_FISCAL,
          "c_RegimenFiscal",
        );
        if (trfc?.ok && treg && !REGIMEN_FISCAL[treg]?.[trfc.persona])
          c.add(
            `${tp}.regimenFiscal`,
            "REGIMEN_PERSONA",
            `El régimen ${treg} no aplica a una persona ${trfc.persona}.`,
          );
        if (typeof t.domicilioFiscal !== "string" || !CP_RE.test(t.domicilioFiscal))
          c.add(
            `${tp}.domicilioFiscal`,
            "CP_FORMAT",
            "El domicilio fiscal del tercero debe ser un código postal de 5 dígitos.",
          );
      }
      (k.cuentaPredial ?? []).forEach((n, j) => {
        if (typeof n !== "string" || !PREDIAL_RE.test(n))
          c.add(
            `${p}.cuentaPredial[${j}]`,
            "CUENTA_PREDIAL_FORMAT",
            "El número de cuenta predial solo admite letras y dígitos (1 a 150).",
          );
      });
      (k.informacionAduanera ?? []).forEach((n, j) => {
        if (typeof n !== "string" || !PEDIMENTO_RE.test(n))
          c.add(
            `${p}.informacionAduanera[${j}]`,
            "PEDIMENTO_FORMAT",
            'El número de pedimento debe tener la forma "AA  AA  AAAA  AAAAAAA" (2, 2, 4 y 7 dígitos separados por dos espacios).',
          );
      });
      if (cantidad && valor) {
        conceptos.push({
          input: k,
          cantidad: cantidad.d,
          cantidadText: cantidad.text,
          valorUnitario: valor.d,
          valorUnitarioText: valor.text,
          ...(descuento ? { descuento: descuento.d } : {}),
          traslados,
          retenciones,
        });
      }
    });
  }
  const totalEsperado =
    input.totalEsperado === undefined
      ? undefined
      : c.decimal("totalEsperado", input.totalEsperado, "El total esperado", decimals);

  if (c.issues.length) return { issues: c.issues };
  return {
    issues: [],
    parsed: {
      input,
      moneda,
      decimals,
      ...(tipoCambio ? { tipoCambio } : {}),
      exportacion,
      conceptos,
      ...(totalEsperado ? { totalEsperado: totalEsperado.d } : {}),
    },
  };
}

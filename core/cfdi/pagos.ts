/**
 * CFDI de tipo P (recibo electrónico de pago) with the complemento Pagos 2.0: validation, the
 * SAT arithmetic, the Comprobante and complement models, sealing.
 *
 * Rounding (all arithmetic exact on bigint decimals; a rounding happens only where listed):
 * 1. ImpSaldoInsoluto = ImpSaldoAnt − ImpPagado, exact (both carry MonedaDR's decimals).
 * 2. ImpPagado given in MonedaP (`pagadoEnMonedaP`) = that × EquivalenciaDR, rounded half up to
 *    MonedaDR's decimals (Pagos20.xsd, EquivalenciaDR: "100 EUR * 1.0465711361 USD/EUR = 104.66 USD").
 * 3. Taxes per related document (ObjetoImpDR "02"), prorated by the share of the invoice paid:
 *    BaseDR = Base × ImpPagado ÷ Total of the invoice, rounded half up to MonedaDR's decimals;
 *    ImporteDR = BaseDR × TasaOCuotaDR, rounded half up to MonedaDR's decimals (the same
 *    per-line rule as a CFDI concept). Exento carries only BaseDR.
 * 4. ImpuestosP per Pago, grouped by (Impuesto, TipoFactor, TasaOCuota) for traslados and by
 *    Impuesto for retenciones: BaseP = Σ BaseDR ÷ EquivalenciaDR, ImporteP = Σ ImporteDR ÷
 *    EquivalenciaDR, summed exactly (as fractions) and truncated to 6 decimals — exact, with
 *    MonedaP's decimals, whenever every EquivalenciaDR is 1.
 * 5. Monto ≥ Σ ImpPagado ÷ EquivalenciaDR truncated to MonedaP's decimals; that is the default.
 * 6. Totales in MXN: Σ over the Pagos of (ImpuestosP amount × TipoCambioP), and MontoTotalPagos =
 *    Σ Monto × TipoCambioP, each rounded half up to 2 decimals. TipoCambioP is "1" for MXN.
 * Sources: Pagos20.xsd annotations; the SAT "Guía de llenado del CFDI con complemento para
 * recepción de pagos 2.0"; rules 4–6 as implemented by eclipxe13/CfdiUtils (SumasPagos20).
 */
import type { Decimal } from "../money/decimal.ts";
import {
  add,
  compare,
  divide,
  formatDecimal,
  mul,
  parseDecimal,
  roundHalfUp,
  significantScale,
  sub,
  ZERO,
} from "../money/decimal.ts";
import type { SealedCfdi } from "./build.ts";
import { fechaNow, sealComprobante } from "./build.ts";
import { FORMA_PAGO, IMPUESTO, MONEDA, OBJETO_IMP } from "./catalogs.ts";
import type { Csd } from "./csd.ts";
import type { Issue } from "./errors.ts";
import { CfdiError } from "./errors.ts";
import type { Comprobante } from "./model.ts";
import type { DoctoRelacionadoInput, DocumentoTaxInput, PagoComprobanteInput, PagoInput } from "./pagos-input.ts";
import type {
  DoctoRelacionado,
  Pago,
  Pagos,
  RetencionDR,
  RetencionP,
  TotalesPagos,
  TrasladoDR,
  TrasladoP,
} from "./pagos-model.ts";
import { PAGOS20_NAMESPACE, pagosToXml } from "./pagos-model.ts";
import type { ParsedTax } from "./validation.ts";
import { CP_RE, Collector, UUID_RE, checkEmisor, checkReceptor, isFechaHora, parseTaxes } from "./validation.ts";
import { RFC_RE } from "./rfc.ts";

/** Anexo 20, CFDI de tipo P: the one concepto a recibo de pago carries. */
const CONCEPTO_PAGO = {
  ClaveProdServ: "84111506",
  NoIdentificacion: undefined,
  Cantidad: "1",
  ClaveUnidad: "ACT",
  Unidad: undefined,
  Descripcion: "Pago",
  ValorUnitario: "0",
  Importe: "0",
  Descuento: undefined,
  ObjetoImp: "01",
  Traslados: undefined,
  Retenciones: undefined,
  ACuentaTerceros: undefined,
  InformacionAduanera: undefined,
  CuentaPredial: undefined,
} as const;

const CUENTA_RE = /^[A-Z0-9_]{10,50}$/;
const ONE: Decimal = { units: 1n, scale: 0 };

// ---------------------------------------------------------------------------------------------
// Exact sums of quotients (amount ÷ EquivalenciaDR)
// ---------------------------------------------------------------------------------------------

type Fraction = { readonly num: bigint; readonly den: bigint };
const F_ZERO: Fraction = { num: 0n, den: 1n };

function quotient(a: Decimal, b: Decimal): Fraction {
  // (a.units / 10^a.scale) / (b.units / 10^b.scale)
  return { num: a.units * 10n ** BigInt(b.scale), den: b.units * 10n ** BigInt(a.scale) };
}

function addFraction(x: Fraction, y: Fraction): Fraction {
  return x.den === y.den
    ? { num: x.num + y.num, den: x.den }
    : { num: x.num * y.den + y.num * x.den, den: x.den * y.den };
}

/** Truncates a non-negative fraction to `places` decimals. */
function truncateFraction(f: Fraction, places: number): Decimal {
  return { units: (f.num * 10n ** BigInt(places)) / f.den, scale: places };
}

/** Amount text with at least `minPlaces` decimals and no trailing zeros beyond them. */
function amountText(d: Decimal, minPlaces: number): string {
  return formatDecimal(d, Math.max(minPlaces, significantScale(d)));
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

type ParsedDocTax = ParsedTax & { readonly base: Decimal };

type ParsedDocto = {
  readonly input: DoctoRelacionadoInput;
  readonly monedaDR: string;
  readonly decimalsDR: number;
  readonly equivalencia: Decimal;
  readonly equivalenciaText: string;
  readonly numParcialidad: number;
  readonly impSaldoAnt: Decimal;
  readonly impPagado: Decimal;
  readonly totalDocumento?: Decimal;
  readonly traslados: readonly ParsedDocTax[];
  readonly retenciones: readonly ParsedDocTax[];
};

type ParsedPago = {
  readonly input: PagoInput;
  readonly monedaP: string;
  readonly decimalsP: number;
  readonly tipoCambio: Decimal;
  readonly tipoCambioText: string;
  readonly monto?: Decimal;
  readonly doctos: readonly ParsedDocto[];
};

export type ParsedPagoComprobante = {
  readonly input: PagoComprobanteInput;
  readonly pagos: readonly ParsedPago[];
};

function monedaAt(c: Collector, path: string, value: unknown, label: string): string | undefined {
  const m = c.code(path, value, label, MONEDA, "c_Moneda (o no está soportada por este motor)");
  if (m === "XXX") {
    c.add(path, "MONEDA_XXX", `${label} no puede ser XXX: un pago siempre tiene moneda.`);
    return undefined;
  }
  return m;
}

function docTaxes(
  c: Collector,
  path: string,
  list: DocumentoTaxInput[] | undefined,
  traslado: boolean,
  decimalsDR: number,
): ParsedDocTax[] {
  const parsed = parseTaxes(c, path, list, traslado, "documento");
  const out: ParsedDocTax[] = [];
  for (const t of parsed) {
    if (t.tipoFactor === "Cuota") {
      c.add(
        `${t.path}.tipoFactor`,
        "CUOTA_NO_SOPORTADA",
        "Un impuesto por cuota no se prorratea por el pago; este motor solo admite Tasa y Exento en documentos relacionados.",
      );
      continue;
    }
    if (t.base === undefined) {
      c.add(`${t.path}.base`, "REQUIRED", "La base del impuesto en el documento relacionado es obligatoria.");
      continue;
    }
    if (significantScale(t.base) > decimalsDR) {
      c.add(`${t.path}.base`, "TOO_MANY_DECIMALS", `La base admite como máximo ${decimalsDR} decimales.`);
      continue;
    }
    out.push({ ...t, base: t.base });
  }
  return out;
}

function validateDocto(
  c: Collector,
  p: string,
  d: DoctoRelacionadoInput,
  monedaP: string | undefined,
): ParsedDocto | undefined {
  if (typeof d !== "object" || d === null) {
    c.add(p, "TYPE", "El documento relacionado debe ser un objeto.");
    return undefined;
  }
  const before = c.issues.length;
  if (typeof d.idDocumento !== "string" || !UUID_RE.test(d.idDocumento))
    c.add(
      `${p}.idDocumento`,
      "UUID_FORMAT",
      "El IdDocumento debe ser el UUID (folio fiscal) de la factura pagada, con la forma xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.",
    );
  c.text(`${p}.serie`, d.serie, "La serie del documento relacionado", 25, false);
  c.text(`${p}.folio`, d.folio, "El folio del documento relacionado", 40, false);
  // Without a valid MonedaP (already reported) a defaulted MonedaDR has nothing to check.
  const monedaDR =
    d.monedaDR === undefined && !monedaP
      ? undefined
      : monedaAt(c, `${p}.monedaDR`, d.monedaDR ?? monedaP, "La moneda del documento relacionado");
  const decimalsDR = MONEDA[monedaDR ?? "MXN"]?.decimales ?? 2;
  let equivalencia = ONE;
  let equivalenciaText = "1";
  if (monedaDR && monedaP && monedaDR !== monedaP) {
    const e = c.decimal(
      `${p}.equivalenciaDR`,
      d.equivalenciaDR,
      `La equivalencia (obligatoria porque el documento está en ${monedaDR} y el pago en ${monedaP})`,
      10,
      { positive: true },
    );
    if (e) {
      equivalencia = e.d;
      equivalenciaText = e.text;
    }
  } else if (d.equivalenciaDR !== undefined && !/^1(\.0{1,10})?$/.test(String(d.equivalenciaDR).trim())) {
    c.add(
      `${p}.equivalenciaDR`,
      "EQUIVALENCIA_MISMA_MONEDA",
      'Si el documento relacionado y el pago están en la misma moneda, la equivalencia debe omitirse o ser "1".',
    );
  }
  const np = String(d.numParcialidad ?? "");
  if (!/^[1-9][0-9]{0,2}$/.test(np))
    c.add(
      `${p}.numParcialidad`,
      "NUM_PARCIALIDAD",
      "El número de parcialidad debe ser un entero de 1 a 999 (1 para el primer pago de la factura).",
    );
  const saldoAnt = c.decimal(`${p}.impSaldoAnt`, d.impSaldoAnt, "El saldo anterior", decimalsDR, { positive: true });
  let impPagado: Decimal | undefined;
  if ((d.impPagado === undefined) === (d.pagadoEnMonedaP === undefined)) {
    c.add(
      `${p}.impPagado`,
      d.impPagado === undefined ? "REQUIRED" : "IMP_PAGADO_DOBLE",
      "Indique el importe pagado del documento en su moneda (impPagado) o en la moneda del pago (pagadoEnMonedaP), uno de los dos.",
    );
  } else if (d.impPagado !== undefined) {
    impPagado = c.decimal(`${p}.impPagado`, d.impPagado, "El importe pagado", decimalsDR, { positive: true })?.d;
  } else {
    const enP = c.decimal(
      `${p}.pagadoEnMonedaP`,
      d.pagadoEnMonedaP,
      "El importe pagado en la moneda del pago",
      MONEDA[monedaP ?? "MXN"]?.decimales ?? 2,
      { positive: true },
    )?.d;
    if (enP) {
      impPagado = roundHalfUp(mul(enP, equivalencia), decimalsDR);
      if (impPagado.units === 0n) {
        c.add(
          `${p}.pagadoEnMonedaP`,
          "NOT_POSITIVE",
          `El importe pagado convertido a ${monedaDR ?? ""} redondea a cero: debe ser mayor que cero.`,
        );
        impPagado = undefined;
      }
    }
  }
  if (saldoAnt && impPagado && compare(impPagado, saldoAnt.d) > 0)
    c.add(
      `${p}.impPagado`,
      "IMP_PAGADO_EXCEDE_SALDO",
      `El importe pagado (${formatDecimal(impPagado, decimalsDR)}) no puede ser mayor que el saldo anterior (${formatDecimal(saldoAnt.d, decimalsDR)}).`,
    );
  const objeto = c.code(
    `${p}.objetoImpDR`,
    d.objetoImpDR,
    "El objeto de impuesto del documento",
    OBJETO_IMP,
    "c_ObjetoImp",
  );
  if (objeto && !["01", "02", "03", "04"].includes(objeto))
    c.add(
      `${p}.objetoImpDR`,
      "OBJETO_IMP_NO_SOPORTADO",
      `El objeto de impuesto ${objeto} no está soportado por este motor (use 01, 02, 03 o 04).`,
    );
  const traslados = docTaxes(c, `${p}.traslados`, d.traslados, true, decimalsDR);
  const retenciones = docTaxes(c, `${p}.retenciones`, d.retenciones, false, decimalsDR);
  let totalDocumento: Decimal | undefined;
  if (objeto === "02") {
    if (!d.traslados?.length && !d.retenciones?.length)
      c.add(
        `${p}.traslados`,
        "OBJETO_IMP_SIN_IMPUESTOS",
        'Con objeto de impuesto "02" indique los impuestos de la factura pagada para desglosarlos en proporción al pago.',
      );
    totalDocumento = c.decimal(
      `${p}.totalDocumento`,
      d.totalDocumento,
      "El total de la factura pagada (para prorratear sus impuestos)",
      decimalsDR,
      { positive: true },
    )?.d;
    if (totalDocumento && saldoAnt && compare(saldoAnt.d, totalDocumento) > 0)
      c.add(
        `${p}.impSaldoAnt`,
        "SALDO_EXCEDE_TOTAL",
        `El saldo anterior (${formatDecimal(saldoAnt.d, decimalsDR)}) no puede ser mayor que el total de la factura (${formatDecimal(totalDocumento, decimalsDR)}).`,
      );
  } else if (objeto && (d.traslados?.length || d.retenciones?.length)) {
    c.add(
      `${p}.traslados`,
      "OBJETO_IMP_CON_IMPUESTOS",
      `Con objeto de impuesto "${objeto}" el documento relacionado no lleva impuestos.`,
    );
  }
  if (c.issues.length > before || !monedaDR || !saldoAnt || !impPagado) return undefined;
  return {
    input: d,
    monedaDR,
    decimalsDR,
    equivalencia,
    equivalenciaText,
    numParcialidad: Number(np),
    impSaldoAnt: saldoAnt.d,
    impPagado,
    ...(totalDocumento ? { totalDocumento } : {}),
    traslados,
    retenciones,
  };
}

function validatePago(c: Collector, p: string, pago: PagoInput): ParsedPago | undefined {
  if (typeof pago !== "object" || pago === null) {
    c.add(p, "TYPE", "El pago debe ser un objeto.");
    return undefined;
  }
  const before = c.issues.length;
  if (!isFechaHora(pago.fechaPago))
    c.add(
      `${p}.fechaPago`,
      "FECHA_FORMAT",
      'La fecha de pago debe tener el formato AAAA-MM-DDThh:mm:ss, por ejemplo "2025-03-01T12:00:00".',
    );
  const forma = c.code(`${p}.formaDePagoP`, pago.formaDePagoP, "La forma de pago", FORMA_PAGO, "c_FormaPago");
  if (forma === "99")
    c.add(
      `${p}.formaDePagoP`,
      "FORMA_PAGO_POR_DEFINIR",
      'En un recibo de pago la forma de pago es la del dinero recibido; "99" (Por definir) no aplica.',
    );
  const monedaP = monedaAt(c, `${p}.monedaP`, pago.monedaP ?? "MXN", "La moneda del pago");
  const decimalsP = MONEDA[monedaP ?? "MXN"]?.decimales ?? 2;
  let tipoCambio = ONE;
  let tipoCambioText = "1";
  if (monedaP === "MXN") {
    if (pago.tipoCambioP !== undefined && !/^1(\.0{1,6})?$/.test(String(pago.tipoCambioP).trim()))
      c.add(
        `${p}.tipoCambioP`,
        "TIPO_CAMBIO_MXN",
        'Con moneda MXN el tipo de cambio del pago debe omitirse o ser "1".',
      );
  } else if (monedaP) {
    const tc = c.decimal(
      `${p}.tipoCambioP`,
      pago.tipoCambioP,
      `El tipo de cambio del pago (obligatorio cuando la moneda es ${monedaP})`,
      6,
      { positive: true },
    );
    if (tc) {
      tipoCambio = tc.d;
      tipoCambioText = tc.text;
    }
  }
  const monto =
    pago.monto === undefined
      ? undefined
      : c.decimal(`${p}.monto`, pago.monto, "El monto del pago", decimalsP, { positive: true })?.d;
  c.text(`${p}.numOperacion`, pago.numOperacion, "El número de operación", 100, false);
  c.text(`${p}.nomBancoOrdExt`, pago.nomBancoOrdExt, "El nombre del banco ordenante", 300, false);
  for (const [key, label] of [
    ["rfcEmisorCtaOrd", "El RFC del banco ordenante"],
    ["rfcEmisorCtaBen", "El RFC del banco beneficiario"],
  ] as const) {
    const v = pago[key];
    if (
      v !== undefined &&
      (typeof v !== "string" || !(RFC_RE.test(v) || (key === "rfcEmisorCtaOrd" && v === "XEXX010101000")))
    )
      c.add(`${p}.${key}`, "RFC_FORMAT", `${label} no tiene un formato de RFC válido.`);
    if (key === "rfcEmisorCtaBen" && typeof v === "string" && v.length !== 12 && RFC_RE.test(v))
      c.add(`${p}.${key}`, "RFC_FORMAT", `${label} debe ser de persona moral (12 caracteres).`);
  }
  for (const [key, label] of [
    ["ctaOrdenante", "La cuenta ordenante"],
    ["ctaBeneficiario", "La cuenta beneficiaria"],
  ] as const) {
    const v = pago[key];
    if (v !== undefined && (typeof v !== "string" || !CUENTA_RE.test(v)))
      c.add(`${p}.${key}`, "CUENTA_FORMAT", `${label} debe tener de 10 a 50 letras mayúsculas, dígitos o "_".`);
  }
  const doctos: ParsedDocto[] = [];
  if (!Array.isArray(pago.doctosRelacionados) || pago.doctosRelacionados.length === 0) {
    c.add(`${p}.doctosRelacionados`, "REQUIRED", "Indique al menos una factura pagada (documento relacionado).");
  } else {
    const seen = new Set<string>();
    pago.doctosRelacionados.forEach((d, i) => {
      const dp = `${p}.doctosRelacionados[${i}]`;
      const parsed = validateDocto(c, dp, d, monedaP);
      const id = typeof d?.idDocumento === "string" ? d.idDocumento.toLowerCase() : "";
      if (id && seen.has(id))
        c.add(`${dp}.idDocumento`, "DOCUMENTO_DUPLICADO", "La misma factura aparece dos veces en este pago.");
      seen.add(id);
      if (parsed) doctos.push(parsed);
    });
  }
  if (c.issues.length === before && monto && monedaP) {
    const minimo = montoMinimo(doctos, decimalsP);
    if (compare(monto, minimo) < 0)
      c.add(
        `${p}.monto`,
        "MONTO_INSUFICIENTE",
        `El monto del pago (${formatDecimal(monto, decimalsP)} ${monedaP}) es menor que la suma de los importes pagados convertidos a la moneda del pago (${formatDecimal(minimo, decimalsP)}).`,
      );
  }
  if (c.issues.length > before || !monedaP) return undefined;
  return {
    input: pago,
    monedaP,
    decimalsP,
    tipoCambio,
    tipoCambioText,
    ...(monto ? { monto } : {}),
    doctos,
  };
}

/** Σ ImpPagado ÷ EquivalenciaDR truncated to MonedaP's decimals (the least Monto SAT accepts). */
function montoMinimo(doctos: readonly ParsedDocto[], decimalsP: number): Decimal {
  let s = F_ZERO;
  for (const d of doctos) s = addFraction(s, quotient(d.impPagado, d.equivalencia));
  return truncateFraction(s, decimalsP);
}

/** Validates a recibo de pago; never throws. `parsed` only when there are no issues. */
export function validatePagoInput(input: PagoComprobanteInput): { issues: Issue[]; parsed?: ParsedPagoComprobante } {
  const c = new Collector();
  if (typeof input !== "object" || input === null) {
    c.add("", "TYPE", "El recibo de pago debe ser un objeto JSON.");
    return { issues: c.issues };
  }
  c.text("serie", input.serie, "La serie", 25, false);
  c.text("folio", input.folio, "El folio", 40, false);
  if (input.fecha !== undefined && !isFechaHora(input.fecha))
    c.add(
      "fecha",
      "FECHA_FORMAT",
      'La fecha debe tener el formato AAAA-MM-DDThh:mm:ss (hora local del lugar de expedición), por ejemplo "2025-03-01T10:30:00".',
    );
  if (typeof input.lugarExpedicion !== "string" || !CP_RE.test(input.lugarExpedicion))
    c.add("lugarExpedicion", "CP_FORMAT", "El lugar de expedición debe ser un código postal de 5 dígitos.");
  if (input.confirmacion !== undefined && !/^[0-9a-zA-Z]{5}$/.test(String(input.confirmacion)))
    c.add("confirmacion", "CONFIRMACION_FORMAT", "La clave de confirmación debe tener 5 caracteres alfanuméricos.");
  checkEmisor(c, input.emisor);
  const receptor = input.receptor;
  if (receptor && receptor.usoCfdi !== undefined && receptor.usoCfdi !== "CP01")
    c.add("receptor.usoCfdi", "USO_CFDI_PAGO", 'En un recibo de pago el uso del CFDI debe ser "CP01" (Pagos).');
  checkReceptor(c, receptor ? { ...receptor, usoCfdi: "CP01" } : undefined, input.lugarExpedicion);
  (input.cfdiRelacionados ?? []).forEach((rel, i) => {
    if (rel?.tipoRelacion !== "04")
      c.add(
        `cfdiRelacionados[${i}].tipoRelacion`,
        "TIPO_RELACION_PAGO",
        'Un recibo de pago solo se relaciona con otro recibo al que sustituye (tipo de relación "04").',
      );
    if (!Array.isArray(rel?.uuids) || rel.uuids.length === 0)
      c.add(`cfdiRelacionados[${i}].uuids`, "REQUIRED", "Indique al menos un UUID relacionado.");
    else
      rel.uuids.forEach((u, j) => {
        if (typeof u !== "string" || !UUID_RE.test(u))
          c.add(`cfdiRelacionados[${i}].uuids[${j}]`, "UUID_FORMAT", `"${String(u)}" no es un UUID válido.`);
      });
  });
  const pagos: ParsedPago[] = [];
  if (!Array.isArray(input.pagos) || input.pagos.length === 0) {
    c.add("pagos", "REQUIRED", "Un recibo de pago debe tener al menos un pago.");
  } else {
    input.pagos.forEach((pago, i) => {
      const parsed = validatePago(c, `pagos[${i}]`, pago);
      if (parsed) pagos.push(parsed);
    });
  }
  if (c.issues.length) return { issues: c.issues };
  return { issues: [], parsed: { input, pagos } };
}

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

function taxKey(impuesto: string, tipoFactor: string, tasa: string | undefined): string {
  return `${impuesto}|${tipoFactor}|${tasa ?? ""}`;
}

type Group = {
  impuesto: string;
  tipoFactor: string;
  tasa?: string;
  base: Fraction;
  importe: Fraction;
};

function computeDocto(d: ParsedDocto): DoctoRelacionado {
  const dec = d.decimalsDR;
  const prorate = (t: ParsedDocTax) => {
    // BaseDR = Base × ImpPagado ÷ Total, rounded half up (rule 3).
    const baseDR = divide(mul(t.base, d.impPagado), d.totalDocumento as Decimal, dec);
    const importe = t.tasaOCuota ? roundHalfUp(mul(baseDR, t.tasaOCuota), dec) : undefined;
    return { baseDR, importe };
  };
  const traslados: TrasladoDR[] = d.traslados.map((t) => {
    const { baseDR, importe } = prorate(t);
    return {
      BaseDR: formatDecimal(baseDR, dec),
      ImpuestoDR: t.impuesto,
      TipoFactorDR: t.tipoFactor,
      TasaOCuotaDR: t.tasaOCuota ? formatDecimal(t.tasaOCuota, 6) : undefined,
      ImporteDR: importe ? formatDecimal(importe, dec) : undefined,
    };
  });
  const retenciones: RetencionDR[] = d.retenciones.map((t) => {
    const { baseDR, importe } = prorate(t);
    return {
      BaseDR: formatDecimal(baseDR, dec),
      ImpuestoDR: t.impuesto,
      TipoFactorDR: t.tipoFactor,
      TasaOCuotaDR: formatDecimal(t.tasaOCuota as Decimal, 6),
      ImporteDR: formatDecimal(importe ?? ZERO, dec),
    };
  });
  return {
    IdDocumento: d.input.idDocumento,
    Serie: d.input.serie,
    Folio: d.input.folio,
    MonedaDR: d.monedaDR,
    EquivalenciaDR: d.equivalenciaText,
    NumParcialidad: String(d.numParcialidad),
    ImpSaldoAnt: formatDecimal(d.impSaldoAnt, dec),
    ImpPagado: formatDecimal(d.impPagado, dec),
    ImpSaldoInsoluto: formatDecimal(sub(d.impSaldoAnt, d.impPagado), dec),
    ObjetoImpDR: d.input.objetoImpDR,
    RetencionesDR: retenciones.length ? retenciones : undefined,
    TrasladosDR: traslados.length ? traslados : undefined,
  };
}

function computePago(p: ParsedPago, issues: Issue[], path: string): { pago: Pago; monto: Decimal } {
  const doctos = p.doctos.map(computeDocto);
  const traslados = new Map<string, Group>();
  const retenciones = new Map<string, Group>();
  doctos.forEach((d, i) => {
    const e = p.doctos[i]!.equivalencia;
    const dp = `${path}.doctosRelacionados[${i}]`;
    const addTo = (
      map: Map<string, Group>,
      key: string,
      g: Omit<Group, "base" | "importe">,
      base: string,
      importe?: string,
    ) => {
      if (parseDecimal(base).units === 0n)
        issues.push({
          path: dp,
          code: "BASE_DR_CERO",
          message: `El pago es tan pequeño que la base proporcional de ${IMPUESTO[g.impuesto]?.descripcion ?? g.impuesto} redondea a cero; la base debe ser mayor que cero.`,
        });
      const cur = map.get(key) ?? { ...g, base: F_ZERO, importe: F_ZERO };
      cur.base = addFraction(cur.base, quotient(parseDecimal(base), e));
      if (importe !== undefined) cur.importe = addFraction(cur.importe, quotient(parseDecimal(importe), e));
      map.set(key, cur);
    };
    for (const t of d.TrasladosDR ?? [])
      addTo(
        traslados,
        taxKey(t.ImpuestoDR, t.TipoFactorDR, t.TasaOCuotaDR),
        { impuesto: t.ImpuestoDR, tipoFactor: t.TipoFactorDR, ...(t.TasaOCuotaDR ? { tasa: t.TasaOCuotaDR } : {}) },
        t.BaseDR,
        t.ImporteDR,
      );
    for (const t of d.RetencionesDR ?? [])
      addTo(retenciones, t.ImpuestoDR, { impuesto: t.ImpuestoDR, tipoFactor: t.TipoFactorDR }, t.BaseDR, t.ImporteDR);
  });
  const dec = p.decimalsP;
  // Rule 4: exact sums truncated to 6 decimals, written with at least MonedaP's decimals.
  const six = (f: Fraction) => amountText(truncateFraction(f, 6), dec);
  const trasladosP: TrasladoP[] = [...traslados.values()].map((g) => ({
    BaseP: six(g.base),
    ImpuestoP: g.impuesto,
    TipoFactorP: g.tipoFactor,
    TasaOCuotaP: g.tasa,
    ImporteP: g.tipoFactor === "Exento" ? undefined : six(g.importe),
  }));
  const retencionesP: RetencionP[] = [...retenciones.values()].map((g) => ({
    ImpuestoP: g.impuesto,
    ImporteP: six(g.importe),
  }));
  const monto = p.monto ?? montoMinimo(p.doctos, dec);
  if (monto.units === 0n)
    issues.push({ path: `${path}.monto`, code: "NOT_POSITIVE", message: "El monto del pago debe ser mayor que cero." });
  const i = p.input;
  return {
    monto,
    pago: {
      FechaPago: i.fechaPago,
      FormaDePagoP: i.formaDePagoP,
      MonedaP: p.monedaP,
      TipoCambioP: p.tipoCambioText,
      Monto: formatDecimal(monto, dec),
      NumOperacion: i.numOperacion,
      RfcEmisorCtaOrd: i.rfcEmisorCtaOrd,
      NomBancoOrdExt: i.nomBancoOrdExt,
      CtaOrdenante: i.ctaOrdenante,
      RfcEmisorCtaBen: i.rfcEmisorCtaBen,
      CtaBeneficiario: i.ctaBeneficiario,
      DoctosRelacionados: doctos,
      RetencionesP: retencionesP.length ? retencionesP : undefined,
      TrasladosP: trasladosP.length ? trasladosP : undefined,
    },
  };
}

/** Rule 6: Totales in MXN from each Pago's ImpuestosP and Monto times its TipoCambioP. */
function computeTotales(pagos: readonly { pago: Pago; monto: Decimal; tipoCambio: Decimal }[]): TotalesPagos {
  const sums = new Map<string, Decimal>();
  const put = (k: string, v: Decimal) => sums.set(k, add(sums.get(k) ?? ZERO, v));
  let total = ZERO;
  for (const { pago, monto, tipoCambio } of pagos) {
    total = add(total, mul(monto, tipoCambio));
    for (const r of pago.RetencionesP ?? []) put(`R${r.ImpuestoP}`, mul(parseDecimal(r.ImporteP), tipoCambio));
    for (const t of pago.TrasladosP ?? []) {
      if (t.ImpuestoP !== "002") continue; // Totales only report IVA traslados
      const k = t.TipoFactorP === "Exento" ? "Exento" : (t.TasaOCuotaP ?? "");
      put(`B${k}`, mul(parseDecimal(t.BaseP), tipoCambio));
      if (t.ImporteP !== undefined) put(`I${k}`, mul(parseDecimal(t.ImporteP), tipoCambio));
    }
  }
  const mxn = (k: string) => {
    const v = sums.get(k);
    return v === undefined ? undefined : formatDecimal(roundHalfUp(v, 2), 2);
  };
  return {
    TotalRetencionesIVA: mxn("R002"),
    TotalRetencionesISR: mxn("R001"),
    TotalRetencionesIEPS: mxn("R003"),
    TotalTrasladosBaseIVA16: mxn("B0.160000"),
    TotalTrasladosImpuestoIVA16: mxn("I0.160000"),
    TotalTrasladosBaseIVA8: mxn("B0.080000"),
    TotalTrasladosImpuestoIVA8: mxn("I0.080000"),
    TotalTrasladosBaseIVA0: mxn("B0.000000"),
    TotalTrasladosImpuestoIVA0: mxn("I0.000000"),
    TotalTrasladosBaseIVAExento: mxn("BExento"),
    MontoTotalPagos: formatDecimal(roundHalfUp(total, 2), 2),
  };
}

// ---------------------------------------------------------------------------------------------
// Building and sealing
// ---------------------------------------------------------------------------------------------

export type BuiltPago = {
  readonly comprobante: Comprobante;
  readonly pagos: Pagos;
  /** The complement's XML, ready for `sealComprobante(comprobante, csd, { xml, namespaces })`. */
  readonly complementoXml: string;
};

/** Validates the input and computes every amount; throws CfdiError with all issues found. */
export function buildPagoComprobante(
  input: PagoComprobanteInput,
  opts: { now?: Date; timeZone?: string } = {},
): BuiltPago {
  const { issues, parsed } = validatePagoInput(input);
  if (!parsed) throw new CfdiError(issues);
  const amountIssues: Issue[] = [];
  const computed = parsed.pagos.map((p, i) => ({
    ...computePago(p, amountIssues, `pagos[${i}]`),
    tipoCambio: p.tipoCambio,
  }));
  if (amountIssues.length) throw new CfdiError(amountIssues);
  const pagos: Pagos = { Version: "2.0", Totales: computeTotales(computed), Pago: computed.map((x) => x.pago) };
  const e = input.emisor;
  const r = input.receptor;
  const comprobante: Comprobante = {
    Version: "4.0",
    Serie: input.serie,
    Folio: input.folio,
    Fecha: input.fecha ?? fechaNow(opts.timeZone, opts.now),
    Sello: undefined,
    FormaPago: undefined,
    NoCertificado: undefined,
    Certificado: undefined,
    CondicionesDePago: undefined,
    // Anexo 20, tipo P: SubTotal and Total 0, Moneda XXX, no FormaPago/MetodoPago/Impuestos.
    SubTotal: "0",
    Descuento: undefined,
    Moneda: "XXX",
    TipoCambio: undefined,
    Total: "0",
    TipoDeComprobante: "P",
    Exportacion: "01",
    MetodoPago: undefined,
    LugarExpedicion: input.lugarExpedicion,
    Confirmacion: input.confirmacion,
    InformacionGlobal: undefined,
    CfdiRelacionados: input.cfdiRelacionados?.length
      ? input.cfdiRelacionados.map((x) => ({ TipoRelacion: x.tipoRelacion, UUIDs: x.uuids }))
      : undefined,
    Emisor: { Rfc: e.rfc, Nombre: e.nombre, RegimenFiscal: e.regimenFiscal, FacAtrAdquirente: e.facAtrAdquirente },
    Receptor: {
      Rfc: r.rfc,
      Nombre: r.nombre,
      DomicilioFiscalReceptor: r.domicilioFiscal,
      ResidenciaFiscal: r.residenciaFiscal,
      NumRegIdTrib: r.numRegIdTrib,
      RegimenFiscalReceptor: r.regimenFiscal,
      UsoCFDI: "CP01",
    },
    Conceptos: [{ ...CONCEPTO_PAGO }],
    Impuestos: undefined,
  };
  return { comprobante, pagos, complementoXml: pagosToXml(pagos) };
}

/** Seals a built recibo de pago (certificate checks as for any CFDI). */
export async function sealPagoComprobante(built: BuiltPago, csd: Csd): Promise<SealedCfdi & { pagos: Pagos }> {
  const sealed = await sealComprobante(built.comprobante, csd, {
    xml: built.complementoXml,
    namespaces: [PAGOS20_NAMESPACE],
  });
  return { ...sealed, pagos: built.pagos };
}

/** buildPagoComprobante + sealPagoComprobante. */
export async function buildSignedPago(
  input: PagoComprobanteInput,
  csd: Csd,
  opts: { now?: Date; timeZone?: string } = {},
): Promise<SealedCfdi & { pagos: Pagos }> {
  return sealPagoComprobante(buildPagoComprobante(input, opts), csd);
}

/**
 * Invoice input → validated → amounts computed → Comprobante model → sealed XML.
 */
import type { Decimal } from "../money/decimal.ts";
import { compare, formatDecimal, sub, ZERO } from "../money/decimal.ts";
import type { LineAmounts, TaxAmount, Totals } from "./amounts.ts";
import { computeLine, computeTotals } from "./amounts.ts";
import { cadenaFromModel, cadenaFromXml } from "./cadena.ts";
import type { Csd } from "./csd.ts";
import { checkCertificateForInvoice } from "./csd.ts";
import type { Issue } from "./errors.ts";
import { CfdiError } from "./errors.ts";
import type { InvoiceInput } from "./invoice-input.ts";
import type { Comprobante, Concepto, ImpuestosComprobante, RetencionConcepto, TrasladoConcepto } from "./model.ts";
import { signCadena } from "./sello.ts";
import type { ParsedInvoice } from "./validation.ts";
import { validateInvoiceInput } from "./validation.ts";
import type { ComplementNamespace } from "./xml-writer.ts";
import { comprobanteToXml } from "./xml-writer.ts";

export type BuiltInvoice = {
  readonly comprobante: Comprobante;
  readonly lines: readonly LineAmounts[];
  readonly totals: Totals;
};

/** A complement to seal with the comprobante: its XML (inside cfdi:Complemento) and namespaces. */
export type SealComplement = {
  readonly xml: string;
  readonly namespaces: readonly ComplementNamespace[];
};

export type SealedCfdi = {
  readonly xml: string;
  readonly cadenaOriginal: string;
  readonly comprobante: Comprobante;
};

/**
 * Current local date-time in the given IANA zone as CFDI `Fecha` ("YYYY-MM-DDTHH:mm:ss").
 * Anexo 20: Fecha is the local time of LugarExpedicion, without zone designator.
 */
export function fechaNow(timeZone = "America/Mexico_City", now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:${get("second")}`;
}

/** Up to six decimals, trailing zeros beyond the sixth dropped (t_Importe lexical pattern). */
function fmt6(d: Decimal): string {
  return formatDecimal(d, Math.min(d.scale, 6));
}

// Model objects are created with every property present (undefined when absent) in one fixed
// order: one hidden class per node type keeps the cadena/XML walks monomorphic, which measured
// ~2× faster than objects assembled with conditional spreads.

function taxAttrs(t: TaxAmount, decimals: number, computedBase: boolean): TrasladoConcepto {
  return {
    Base: computedBase ? formatDecimal(t.base, decimals) : fmt6(t.base),
    Impuesto: t.impuesto,
    TipoFactor: t.tipoFactor,
    TasaOCuota: t.tasaOCuota ? formatDecimal(t.tasaOCuota, 6) : undefined,
    Importe: t.importe ? formatDecimal(t.importe, decimals) : undefined,
  };
}

function checkAmounts(p: ParsedInvoice, lines: readonly LineAmounts[], totals: Totals): Issue[] {
  const issues: Issue[] = [];
  const d = p.decimals;
  lines.forEach((l, i) => {
    if (l.descuento && compare(l.descuento, l.importe) > 0) {
      issues.push({
        path: `conceptos[${i}].descuento`,
        code: "DESCUENTO_EXCEDE_IMPORTE",
        message: `El descuento (${formatDecimal(l.descuento, d)}) no puede ser mayor que el importe del concepto (${formatDecimal(l.importe, d)}).`,
      });
      return; // the base and total errors would only repeat this one
    }
    [
      ...l.traslados.map((t, j) => [t, `traslados[${j}]`] as const),
      ...l.retenciones.map((t, j) => [t, `retenciones[${j}]`] as const),
    ].forEach(([t, path]) => {
      if (compare(t.base, ZERO) <= 0) {
        issues.push({
          path: `conceptos[${i}].${path}.base`,
          code: "BASE_NO_POSITIVA",
          message:
            "La base del impuesto debe ser mayor que cero (un concepto con descuento total no puede llevar impuestos; use objeto de impuesto 01).",
        });
      }
    });
  });
  if (!issues.length && compare(totals.total, ZERO) < 0) {
    issues.push({
      path: "conceptos",
      code: "TOTAL_NEGATIVO",
      message: "Las retenciones y descuentos superan el importe: el total no puede ser negativo.",
    });
  }
  if (p.totalEsperado && compare(p.totalEsperado, totals.total) !== 0) {
    const diff = formatDecimal(sub(totals.total, p.totalEsperado), d);
    issues.push({
      path: "totalEsperado",
      code: "TOTAL_MISMATCH",
      message: `El total calculado con las reglas del SAT (${formatDecimal(totals.total, d)}) difiere del total esperado (${formatDecimal(p.totalEsperado, d)}) por ${diff}. Revise el redondeo de impuestos por concepto en la propuesta.`,
    });
  }
  return issues;
}

/** Validates the input and computes every amount; throws CfdiError with all issues found. */
export function buildComprobante(input: InvoiceInput, opts: { now?: Date; timeZone?: string } = {}): BuiltInvoice {
  const { issues, parsed } = validateInvoiceInput(input);
  if (!parsed) throw new CfdiError(issues);
  const dec = parsed.decimals;
  const lines = parsed.conceptos.map((k) =>
    computeLine(
      {
        cantidad: k.cantidad,
        valorUnitario: k.valorUnitario,
        ...(k.descuento ? { descuento: k.descuento } : {}),
        traslados: k.traslados,
        retenciones: k.retenciones,
      },
      dec,
    ),
  );
  const totals = computeTotals(lines, dec);
  const amountIssues = checkAmounts(parsed, lines, totals);
  if (amountIssues.length) throw new CfdiError(amountIssues);

  const conceptos: Concepto[] = parsed.conceptos.map((k, i) => {
    const l = lines[i] as LineAmounts;
    const src = k.input;
    const traslados = l.traslados.map((t, j) =>
      taxAttrs(t, dec, k.traslados[j]?.base === undefined && t.tipoFactor !== "Cuota"),
    );
    const retenciones = l.retenciones.map(
      (t, j) => taxAttrs(t, dec, k.retenciones[j]?.base === undefined && t.tipoFactor !== "Cuota") as RetencionConcepto,
    );
    return {
      ClaveProdServ: src.claveProdServ,
      NoIdentificacion: src.noIdentificacion,
      Cantidad: fmt6(k.cantidad),
      ClaveUnidad: src.claveUnidad,
      Unidad: src.unidad,
      Descripcion: src.descripcion,
      ValorUnitario: fmt6(k.valorUnitario),
      Importe: formatDecimal(l.importe, dec),
      Descuento: l.descuento ? formatDecimal(l.descuento, dec) : undefined,
      ObjetoImp: src.objetoImp,
      Traslados: traslados.length ? traslados : undefined,
      Retenciones: retenciones.length ? retenciones : undefined,
      ACuentaTerceros: src.aCuentaTerceros
        ? {
            RfcACuentaTerceros: src.aCuentaTerceros.rfc,
            NombreACuentaTerceros: src.aCuentaTerceros.nombre,
            RegimenFiscalACuentaTerceros: src.aCuentaTerceros.regimenFiscal,
            DomicilioFiscalACuentaTerceros: src.aCuentaTerceros.domicilioFiscal,
          }
        : undefined,
      InformacionAduanera: src.informacionAduanera?.length ? src.informacionAduanera : undefined,
      CuentaPredial: src.cuentaPredial?.length ? src.cuentaPredial : undefined,
    };
  });

  let impuestos: ImpuestosComprobante | undefined;
  if (totals.traslados.length || totals.retenciones.length) {
    impuestos = {
      TotalImpuestosRetenidos: totals.totalRetenidos ? formatDecimal(totals.totalRetenidos, dec) : undefined,
      TotalImpuestosTrasladados: totals.totalTrasladados ? formatDecimal(totals.totalTrasladados, dec) : undefined,
      Retenciones: totals.retenciones.length
        ? totals.retenciones.map((r) => ({ Impuesto: r.impuesto, Importe: formatDecimal(r.importe, dec) }))
        : undefined,
      Traslados: totals.traslados.length ? totals.traslados.map((t) => taxAttrs(t, dec, true)) : undefined,
    };
  }

  const e = input.emisor;
  const r = input.receptor;
  const comprobante: Comprobante = {
    Version: "4.0",
    Serie: input.serie,
    Folio: input.folio,
    Fecha: input.fecha ?? fechaNow(opts.timeZone, opts.now),
    Sello: undefined,
    FormaPago: input.formaPago,
    NoCertificado: undefined,
    Certificado: undefined,
    CondicionesDePago: input.condicionesDePago,
    SubTotal: formatDecimal(totals.subTotal, dec),
    Descuento: totals.descuento ? formatDecimal(totals.descuento, dec) : undefined,
    Moneda: parsed.moneda,
    TipoCambio: parsed.tipoCambio,
    Total: formatDecimal(totals.total, dec),
    TipoDeComprobante: input.tipoDeComprobante,
    Exportacion: parsed.exportacion,
    MetodoPago: input.metodoPago,
    LugarExpedicion: input.lugarExpedicion,
    Confirmacion: input.confirmacion,
    InformacionGlobal: input.informacionGlobal
      ? {
          Periodicidad: input.informacionGlobal.periodicidad,
          Meses: input.informacionGlobal.meses,
          Año: String(input.informacionGlobal.año),
        }
      : undefined,
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
      UsoCFDI: r.usoCfdi,
    },
    Conceptos: conceptos,
    Impuestos: impuestos,
  };
  return { comprobante, lines, totals };
}

/**
 * Seals a comprobante with a CSD: checks the certificate against the invoice (CSD, validity on
 * Fecha, RFC = emisor), fills NoCertificado/Certificado, signs the cadena built from the model and
 * writes the XML. The cadena is computed from the same strings the XML writer serialises, and
 * the oracle tests check it equals xsltproc over that XML.
 */
export async function sealComprobante(
  comprobante: Comprobante,
  csd: Csd,
  complemento?: SealComplement,
): Promise<SealedCfdi> {
  const issues = checkCertificateForInvoice(csd.certificate, comprobante.Emisor.Rfc, comprobante.Fecha);
  if (issues.length) throw new CfdiError(issues);
  const c: Comprobante = {
    ...comprobante,
    NoCertificado: csd.certificate.noCertificado,
    Certificado: csd.certificate.base64,
  };
  // With a complement the cadena is read from the unsealed XML: the complement's part comes from
  // the SAT stylesheet compiled into complement-rules.ts (the Sello is not part of the cadena).
  const cadenaOriginal = complemento
    ? cadenaFromXml(comprobanteToXml(c, complemento.xml, complemento.namespaces))
    : cadenaFromModel(c);
  const sealed: Comprobante = { ...c, Sello: await signCadena(csd.privateKey, cadenaOriginal) };
  return {
    xml: comprobanteToXml(sealed, complemento?.xml, complemento?.namespaces),
    cadenaOriginal,
    comprobante: sealed,
  };
}

/** buildComprobante + sealComprobante. */
export async function buildSignedCfdi(
  input: InvoiceInput,
  csd: Csd,
  opts: { now?: Date; timeZone?: string } = {},
): Promise<SealedCfdi & { totals: Totals }> {
  const built = buildComprobante(input, opts);
  return { ...(await sealComprobante(built.comprobante, csd)), totals: built.totals };
}

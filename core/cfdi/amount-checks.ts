/**
 * Arithmetic checks for a CFDI someone else issued (the ones a PAC runs before stamping, from the
 * Anexo 20 "Matriz de errores"): concept Importe within SAT's tolerance of Cantidad ×
 * ValorUnitario, and SubTotal, Descuento, tax totals and Total equal to the sums they summarise,
 * after rounding to the currency's decimals. `verifyCfdi` reports them as warnings: the sello can
 * be valid on a document whose numbers do not add up.
 *
 * An amount past the digit limits (limits.ts) is not a warning: the checks stop there with a
 * CfdiError, before any BigInt arithmetic on it (a 50,000-digit fraction made every later sum
 * rescale to 50,000 digits).
 */
import type { Decimal } from "../money/decimal.ts";
import {
  ZERO,
  add,
  compare,
  formatDecimal,
  isDecimalString,
  mul,
  parseDecimal,
  roundHalfUp,
  roundUp,
  sub,
  truncate,
} from "../money/decimal.ts";
import { MONEDA } from "./catalogs.ts";
import type { Issue } from "./errors.ts";
import { fail } from "./errors.ts";
import { LIMIT_MESSAGES, amountLimit } from "./limits.ts";
import { CFDI_NS } from "./model.ts";
import type { XmlElement } from "./xml-parser.ts";
import { attr, childElements } from "./xml-parser.ts";

const N = CFDI_NS;

export function checkComprobanteAmounts(root: XmlElement): Issue[] {
  const issues: Issue[] = [];
  const warn = (path: string, code: string, message: string) => issues.push({ path, code, message });
  const num = (el: XmlElement, name: string, path: string): Decimal | undefined => {
    const v = attr(el, name);
    if (v === undefined) return undefined;
    const t = v.trim();
    const limit = amountLimit(t);
    if (limit !== undefined) fail(limit, `${name}: ${LIMIT_MESSAGES[limit]}`, `${path}/@${name}`);
    if (!isDecimalString(t)) {
      warn(`${path}/@${name}`, "AMOUNT_FORMAT", `${name} ("${v}") no es un importe decimal.`);
      return undefined;
    }
    return parseDecimal(t);
  };
  const moneda = attr(root, "Moneda") ?? "MXN";
  const dec = MONEDA[moneda]?.decimales ?? 2;
  const same = (a: Decimal, b: Decimal) => compare(roundHalfUp(a, dec), roundHalfUp(b, dec)) === 0;
  const fmt = (d: Decimal) => formatDecimal(roundHalfUp(d, dec));

  let sumImporte = ZERO;
  let sumDescuento = ZERO;
  let anyDescuento = false;
  let sumTraslados = ZERO;
  let sumRetenciones = ZERO;
  let k = 0;
  for (const cs of childElements(root, N, "Conceptos")) {
    for (const c of childElements(cs, N, "Concepto")) {
      const path = `/Comprobante/Conceptos/Concepto[${++k}]`;
      const cantidad = num(c, "Cantidad", path);
      const valor = num(c, "ValorUnitario", path);
      const importe = num(c, "Importe", path);
      const descuento = num(c, "Descuento", path);
      if (importe) sumImporte = add(sumImporte, importe);
      if (descuento) {
        sumDescuento = add(sumDescuento, descuento);
        anyDescuento = true;
      }
      if (cantidad && valor && importe) {
        // Anexo 20: lower = (C − ½·10⁻ᶜ)(V − ½·10⁻ᵛ) truncated, upper = (C + ½·10⁻ᶜ)(V + ½·10⁻ᵛ) rounded up.
        const half = (d: Decimal) => ({ units: 5n, scale: d.scale + 1 });
        const places = Math.max(dec, importe.scale);
        const lower = truncate(mul(sub(cantidad, half(cantidad)), sub(valor, half(valor))), places);
        const upper = roundUp(mul(add(cantidad, half(cantidad)), add(valor, half(valor))), places);
        if (compare(importe, lower) < 0 || compare(importe, upper) > 0) {
          warn(
            `${path}/@Importe`,
            "AMOUNT_IMPORTE",
            `Importe ${formatDecimal(importe)} fuera del rango permitido para Cantidad × ValorUnitario (${formatDecimal(lower)} a ${formatDecimal(upper)}).`,
          );
        }
      }
      for (const imp of childElements(c, N, "Impuestos")) {
        for (const ts of childElements(imp, N, "Traslados"))
          for (const t of childElements(ts, N, "Traslado"))
            sumTraslados = add(sumTraslados, num(t, "Importe", path) ?? ZERO);
        for (const rs of childElements(imp, N, "Retenciones"))
          for (const r of childElements(rs, N, "Retencion"))
            sumRetenciones = add(sumRetenciones, num(r, "Importe", path) ?? ZERO);
      }
    }
  }

  const subTotal = num(root, "SubTotal", "/Comprobante");
  if (subTotal && !same(subTotal, sumImporte))
    warn(
      "/Comprobante/@SubTotal",
      "AMOUNT_SUBTOTAL",
      `SubTotal ${formatDecimal(subTotal)} no es la suma de los importes de los conceptos (${fmt(sumImporte)}).`,
    );
  const descuento = num(root, "Descuento", "/Comprobante");
  if (anyDescuento && !descuento)
    warn(
      "/Comprobante/@Descuento",
      "AMOUNT_DESCUENTO",
      `Hay conceptos con descuento y el comprobante no registra Descuento (${fmt(sumDescuento)}).`,
    );
  if (descuento && !same(descuento, sumDescuento))
    warn(
      "/Comprobante/@Descuento",
      "AMOUNT_DESCUENTO",
      `Descuento ${formatDecimal(descuento)} no es la suma de los descuentos de los conceptos (${fmt(sumDescuento)}).`,
    );

  const impuestos = childElements(root, N, "Impuestos")[0];
  const totalTras = impuestos ? num(impuestos, "TotalImpuestosTrasladados", "/Comprobante/Impuestos") : undefined;
  const totalRet = impuestos ? num(impuestos, "TotalImpuestosRetenidos", "/Comprobante/Impuestos") : undefined;
  const noTraslados = totalTras === undefined && sumTraslados.units === 0n; // none, or all Exento
  if (!noTraslados && !same(totalTras ?? ZERO, sumTraslados)) {
    warn(
      "/Comprobante/Impuestos/@TotalImpuestosTrasladados",
      "AMOUNT_TRASLADOS",
      `TotalImpuestosTrasladados ${totalTras ? formatDecimal(totalTras) : "(ausente)"} no es la suma de los traslados de los conceptos (${fmt(sumTraslados)}).`,
    );
  }
  if (!same(totalRet ?? ZERO, sumRetenciones)) {
    warn(
      "/Comprobante/Impuestos/@TotalImpuestosRetenidos",
      "AMOUNT_RETENCIONES",
      `TotalImpuestosRetenidos ${totalRet ? formatDecimal(totalRet) : "(ausente)"} no es la suma de las retenciones de los conceptos (${fmt(sumRetenciones)}).`,
    );
  }
  const total = num(root, "Total", "/Comprobante");
  if (total && subTotal) {
    const expected = add(sub(sub(subTotal, descuento ?? ZERO), totalRet ?? ZERO), totalTras ?? ZERO);
    if (!same(total, expected))
      warn(
        "/Comprobante/@Total",
        "AMOUNT_TOTAL",
        `Total ${formatDecimal(total)} no es SubTotal − Descuento + traslados − retenciones (${fmt(expected)}).`,
      );
  }
  return issues;
}

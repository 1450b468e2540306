/**
 * CFDI 4.0 amounts, following the Anexo 20 "Guía de llenado" (apéndice 2, redondeo):
 *
 * 1. Concepto Importe = Cantidad × ValorUnitario, rounded half up to the currency's decimals
 *    (c_Moneda "Decimales": MXN 2, JPY 0…). The exact product is always inside SAT's tolerance
 *    window [(C − ½·10⁻ᶜ)(V − ½·10⁻ᵛ), (C + ½·10⁻ᶜ)(V + ½·10⁻ᵛ)], so rounding it cannot be rejected.
 * 2. Tax Base (Tasa/Exento) = Importe − Descuento of the same concept; a Cuota's base is the
 *    quantity it is charged on (Cantidad unless given).
 * 3. Tax Importe = Base × TasaOCuota, rounded half up to the currency's decimals, **per concept**.
 * 4. Comprobante Impuestos: traslados grouped by (Impuesto, TipoFactor, TasaOCuota) with Base and
 *    Importe the sums of the concept values; retenciones grouped by Impuesto. Exento groups carry
 *    only Base and do not count in TotalImpuestosTrasladados, which is omitted when every
 *    traslado is Exento.
 * 5. SubTotal = Σ Importe; Descuento = Σ Descuento; Total = SubTotal − Descuento +
 *    TotalImpuestosTrasladados − TotalImpuestosRetenidos. All already at currency decimals, so
 *    these sums are exact.
 *
 * Where a proposal could disagree: a quote that computes tax once on its subtotal
 * (round(Σ base × 16%)) differs from SAT's per-concept rounding (Σ round(base × 16%)) by up to
 * ½ cent per line. Proposals must use `computeLine`/`computeTotals` from this module so the invoice
 * repeats the proposal's numbers; `totalEsperado` in the invoice input turns any residual
 * difference into a TOTAL_MISMATCH error instead of an invoice for another amount.
 */
import type { Decimal } from "../money/decimal.ts";
import { ZERO, add, isZero, mul, roundHalfUp, sub, sum } from "../money/decimal.ts";

export type TaxSpec = {
  readonly impuesto: string;
  readonly tipoFactor: "Tasa" | "Cuota" | "Exento";
  readonly tasaOCuota?: Decimal;
  readonly base?: Decimal;
};

export type LineSpec = {
  readonly cantidad: Decimal;
  readonly valorUnitario: Decimal;
  readonly descuento?: Decimal;
  readonly traslados: readonly TaxSpec[];
  readonly retenciones: readonly TaxSpec[];
};

export type TaxAmount = {
  readonly impuesto: string;
  readonly tipoFactor: "Tasa" | "Cuota" | "Exento";
  readonly tasaOCuota?: Decimal;
  readonly base: Decimal;
  /** Undefined for Exento. */
  readonly importe?: Decimal;
};

export type LineAmounts = {
  readonly importe: Decimal;
  readonly descuento?: Decimal;
  readonly traslados: readonly TaxAmount[];
  readonly retenciones: readonly TaxAmount[];
};

export type Totals = {
  readonly subTotal: Decimal;
  /** Present when any line has a discount (Anexo 20: then the comprobante must carry it). */
  readonly descuento?: Decimal;
  readonly traslados: readonly TaxAmount[];
  readonly retenciones: readonly { impuesto: string; importe: Decimal }[];
  readonly totalTrasladados?: Decimal;
  readonly totalRetenidos?: Decimal;
  readonly total: Decimal;
};

function tax(spec: TaxSpec, lineBase: Decimal, cantidad: Decimal, decimals: number): TaxAmount {
  const base = spec.base ?? (spec.tipoFactor === "Cuota" ? cantidad : lineBase);
  if (spec.tipoFactor === "Exento") return { impuesto: spec.impuesto, tipoFactor: "Exento", base };
  const rate = spec.tasaOCuota ?? ZERO;
  return {
    impuesto: spec.impuesto,
    tipoFactor: spec.tipoFactor,
    tasaOCuota: rate,
    base,
    importe: roundHalfUp(mul(base, rate), decimals),
  };
}

export function computeLine(line: LineSpec, decimals: number): LineAmounts {
  const importe = roundHalfUp(mul(line.cantidad, line.valorUnitario), decimals);
  const descuento = line.descuento === undefined ? undefined : roundHalfUp(line.descuento, decimals);
  const lineBase = descuento ? sub(importe, descuento) : importe;
  return {
    importe,
    ...(descuento ? { descuento } : {}),
    traslados: line.traslados.map((t) => tax(t, lineBase, line.cantidad, decimals)),
    retenciones: line.retenciones.map((t) => tax(t, lineBase, line.cantidad, decimals)),
  };
}

function rateKey(t: TaxAmount): string {
  return `${t.impuesto}|${t.tipoFactor}|${t.tasaOCuota ? roundHalfUp(t.tasaOCuota, 6).units : ""}`;
}

export function computeTotals(lines: readonly LineAmounts[], decimals: number): Totals {
  const subTotal = roundHalfUp(sum(lines.map((l) => l.importe)), decimals);
  const anyDiscount = lines.some((l) => l.descuento !== undefined);
  const descuento = anyDiscount ? roundHalfUp(sum(lines.map((l) => l.descuento ?? ZERO)), decimals) : undefined;

  const groups = new Map<
    string,
    { impuesto: string; tipoFactor: TaxAmount["tipoFactor"]; tasaOCuota?: Decimal; base: Decimal; importe?: Decimal }
  >();
  for (const l of lines) {
    for (const t of l.traslados) {
      const k = rateKey(t);
      const g = groups.get(k);
      if (!g)
        groups.set(k, {
          impuesto: t.impuesto,
          tipoFactor: t.tipoFactor,
          ...(t.tasaOCuota ? { tasaOCuota: t.tasaOCuota } : {}),
          base: t.base,
          ...(t.importe ? { importe: t.importe } : {}),
        });
      else {
        g.base = add(g.base, t.base);
        if (t.importe) g.importe = add(g.importe ?? ZERO, t.importe);
      }
    }
  }
  const traslados: TaxAmount[] = [...groups.values()].map((g) => ({
    ...g,
    base: roundHalfUp(g.base, decimals),
    ...(g.importe ? { importe: roundHalfUp(g.importe, decimals) } : {}),
  }));

  const ret = new Map<string, Decimal>();
  for (const l of lines)
    for (const r of l.retenciones) ret.set(r.impuesto, add(ret.get(r.impuesto) ?? ZERO, r.importe ?? ZERO));
  const retenciones = [...ret.entries()].map(([impuesto, importe]) => ({
    impuesto,
    importe: roundHalfUp(importe, decimals),
  }));

  const nonExempt = traslados.filter((t) => t.tipoFactor !== "Exento");
  const totalTrasladados = nonExempt.length
    ? roundHalfUp(sum(nonExempt.map((t) => t.importe ?? ZERO)), decimals)
    : undefined;
  const totalRetenidos = retenciones.length ? roundHalfUp(sum(retenciones.map((r) => r.importe)), decimals) : undefined;

  let total = subTotal;
  if (descuento && !isZero(descuento)) total = sub(total, descuento);
  if (totalTrasladados) total = add(total, totalTrasladados);
  if (totalRetenidos) total = sub(total, totalRetenidos);
  return {
    subTotal,
    ...(descuento ? { descuento } : {}),
    traslados,
    retenciones,
    ...(totalTrasladados ? { totalTrasladados } : {}),
    ...(totalRetenidos ? { totalRetenidos } : {}),
    total: roundHalfUp(total, decimals),
  };
}

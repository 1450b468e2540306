/**
 * Proposal amounts — the ONE place they are computed. Routes, the public proposal page, the seed
 * and the CFDI built from an accepted proposal all use these functions; the database only stores
 * their results (proposal_line_items.subtotal…total, proposals.subtotal…total).
 *
 * Rounding rule (exact decimals, `core/money/decimal.ts`; "round2" = round half up — away from
 * zero — to cents, which is SAT's "redondeo"):
 *
 *   line subtotal    = round2(quantity × unitPrice)
 *   line discount    = round2(subtotal × discountPercent / 100)
 *   line taxableBase = subtotal − discount
 *   line tax         = round2(taxableBase × taxRate)        taxRate null = exento → 0.00
 *   line total       = taxableBase + tax
 *   proposal subtotal / discountTotal / taxTotal / total = sums of the rounded line values
 *
 * so every stored number has exactly 2 decimals, the proposal always equals the sum of its lines,
 * and total = subtotal − discountTotal + taxTotal holds exactly.
 *
 * How this relates to SAT (core/cfdi/amounts.ts, Anexo 20 apéndice 2): CFDI 4.0 rounds the same
 * way — Importe = Cantidad × ValorUnitario and each concept's tax rounded half up to the currency's
 * decimals **per concept**, comprobante values are sums of concept values. So a CFDI built from a
 * proposal shows the same SubTotal, Descuento, TotalImpuestosTrasladados and Total, provided the
 * CFDI builder maps each line as:
 *   Cantidad = quantity, ValorUnitario = unitPrice, Descuento = the line's `discount` AMOUNT (CFDI has
 *   no percentage; recomputing it from the percent elsewhere could round differently),
 *   traslado IVA with Base = taxableBase: taxRate "0.16"/"0.08"/"0" → TipoFactor Tasa, TasaOCuota =
 *   taxRate; taxRate null → TipoFactor Exento (ObjetoImp 02), which like tasa 0 adds 0.00;
 *   and passes the proposal's `total` as `totalEsperado`, so any disagreement is a TOTAL_MISMATCH
 *   error rather than an invoice for another amount. Where the results would differ:
 *   - Currencies with other decimals in c_Moneda (JPY, KRW, CLP: 0): SAT rounds Importe and taxes to
 *     units, proposals always to cents (3 × 333.50 = 1000.50 here, 1001 on the CFDI). The builder
 *     rejects the proposal's total as totalEsperado (TOO_MANY_DECIMALS); re-quote in a currency
 *     with cents or in MXN.
 *   - A free line (unitPrice 0): SAT requires ValorUnitario > 0 for ingresos (core/cfdi NOT_POSITIVE),
 *     so the builder must leave it out of the CFDI. A line whose taxableBase is 0 (100 % discount)
 *     with a tax rate: tax is 0.00 here, but SAT rejects a traslado with Base 0 (BASE_NO_POSITIVA),
 *     so the builder must emit that concept with ObjetoImp "01" and no taxes. Totals do not change.
 *   - IVA rates: proposals accept any rate 0..1 (a quote may carry another country's tax); a CFDI
 *     only knows IVA traslado 0, 0.08 (región fronteriza) and 0.16 (c_TasaOCuota), and the builder
 *     rejects others (TASA_O_CUOTA).
 *   - Taxes a proposal does not model (IVA/ISR retenidos, IEPS) change the CFDI Total; adding them
 *     is an explicit invoicing decision, not something the builder may do silently.
 *   - Rounding tax once on the proposal subtotal (what many quoting tools do) differs from per-line
 *     rounding by up to ½ cent per line; that is why it is NOT done here.
 * The tests "agreement with SAT's CFDI 4.0 amounts" in totals.test.ts check each of these points
 * against core/cfdi.
 */
import type { Decimal } from "../money/decimal.ts";
import {
  ZERO,
  add,
  compare,
  formatDecimal,
  isZero,
  mul,
  parseDecimal,
  roundHalfUp,
  significantScale,
  sub,
  sum,
} from "../money/decimal.ts";

export interface LineInput {
  quantity: string;
  unitPrice: string;
  discountPercent?: string;
  taxRate: string | null;
}

/** All values with exactly 2 decimals. */
export interface LineAmounts {
  subtotal: string;
  discount: string;
  taxableBase: string;
  tax: string;
  total: string;
}

export interface ProposalTotals {
  subtotal: string;
  discountTotal: string;
  taxTotal: string;
  total: string;
}

/** Largest amount the money columns hold (numeric(14,2)). */
export const MAX_AMOUNT = "999999999999.99";

const UNSIGNED_DECIMAL_RE = /^\d+(?:\.\d+)?$/;
const MAX = parseDecimal(MAX_AMOUNT);
const HUNDRED = parseDecimal("100");
const ONE = parseDecimal("1");
// Column limits of proposal_line_items: quantity numeric(14,4), unit_price numeric(16,4).
const QUANTITY_LIMIT = parseDecimal("10000000000"); // 10^10
const UNIT_PRICE_LIMIT = parseDecimal("1000000000000"); // 10^12

type Field = keyof LineInput;
type LineIssue = { field: Field; message: string };

/** Parses an unsigned plain decimal with at most `places` significant decimals, else undefined. */
function unsigned(value: unknown, places: number): Decimal | undefined {
  if (typeof value !== "string" || value.length > 40 || !UNSIGNED_DECIMAL_RE.test(value)) return undefined;
  const d = parseDecimal(value);
  return significantScale(d) <= places ? d : undefined;
}

function amounts(q: Decimal, p: Decimal, pct: Decimal, rate: Decimal | null): LineAmounts {
  const subtotal = roundHalfUp(mul(q, p), 2);
  // subtotal × pct / 100: dividing by 100 is exact (two more decimals), then one rounding.
  const product = mul(subtotal, pct);
  const discount = roundHalfUp({ units: product.units, scale: product.scale + 2 }, 2);
  const taxableBase = sub(subtotal, discount);
  const tax = rate === null ? roundHalfUp(ZERO, 2) : roundHalfUp(mul(taxableBase, rate), 2);
  const total = add(taxableBase, tax);
  return {
    subtotal: formatDecimal(subtotal, 2),
    discount: formatDecimal(discount, 2),
    taxableBase: formatDecimal(taxableBase, 2),
    tax: formatDecimal(tax, 2),
    total: formatDecimal(total, 2),
  };
}

/**
 * Field problems of one line item, in Spanish; [] when `computeLine` can use it. Values are decimal
 * strings without sign, exponent or grouping; trailing zeros do not count as decimals ("2.500000"
 * is a valid quantity), so values read back from numeric columns pass.
 */
export function checkLine(line: LineInput): LineIssue[] {
  const issues: LineIssue[] = [];
  const q = unsigned(line.quantity, 4);
  if (!q)
    issues.push({
      field: "quantity",
      message: "La cantidad debe ser un número decimal sin signo con hasta 4 decimales.",
    });
  else if (isZero(q)) issues.push({ field: "quantity", message: "La cantidad debe ser mayor que cero." });
  else if (compare(q, QUANTITY_LIMIT) >= 0)
    issues.push({ field: "quantity", message: "La cantidad debe ser menor que 10,000,000,000." });

  const p = unsigned(line.unitPrice, 4);
  if (!p)
    issues.push({
      field: "unitPrice",
      message: "El precio unitario debe ser un número decimal sin signo (mayor o igual a cero) con hasta 4 decimales.",
    });
  else if (compare(p, UNIT_PRICE_LIMIT) >= 0)
    issues.push({ field: "unitPrice", message: "El precio unitario debe ser menor que 1,000,000,000,000." });

  let pct: Decimal | undefined = ZERO;
  if (line.discountPercent !== undefined && line.discountPercent !== null) {
    pct = unsigned(line.discountPercent, 2);
    if (!pct || compare(pct, HUNDRED) > 0) {
      issues.push({
        field: "discountPercent",
        message: "El descuento debe ser un porcentaje entre 0 y 100 con hasta 2 decimales.",
      });
      pct = undefined;
    }
  }

  let rate: Decimal | null | undefined = null;
  if (line.taxRate !== null) {
    rate = unsigned(line.taxRate, 6);
    if (!rate || compare(rate, ONE) > 0) {
      issues.push({
        field: "taxRate",
        message:
          'La tasa de impuesto debe ser null (exento) o una fracción entre 0 y 1 con hasta 6 decimales, por ejemplo "0.16".',
      });
      rate = undefined;
    }
  }

  if (
    q &&
    p &&
    pct &&
    rate !== undefined &&
    issues.length === 0 &&
    compare(parseDecimal(amounts(q, p, pct, rate).total), MAX) > 0
  ) {
    issues.push({
      field: "quantity",
      message: `El importe de la partida excede el máximo permitido (${formatMoneyMx(MAX_AMOUNT, "")}).`,
    });
  }
  return issues;
}

/** Amounts of one line item. Throws RangeError when `checkLine` reports problems. */
export function computeLine(line: LineInput): LineAmounts {
  const issues = checkLine(line);
  if (issues.length > 0)
    throw new RangeError(`invalid line item: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
  const pct =
    line.discountPercent === undefined || line.discountPercent === null ? ZERO : parseDecimal(line.discountPercent);
  return amounts(
    parseDecimal(line.quantity),
    parseDecimal(line.unitPrice),
    pct,
    line.taxRate === null ? null : parseDecimal(line.taxRate),
  );
}

/** Proposal totals from already computed (e.g. stored) line amounts: plain sums, 2 decimals. */
export function sumLineAmounts(lines: LineAmounts[]): ProposalTotals {
  const total = (pick: (l: LineAmounts) => string) => formatDecimal(sum(lines.map((l) => parseDecimal(pick(l)))), 2);
  return {
    subtotal: total((l) => l.subtotal),
    discountTotal: total((l) => l.discount),
    taxTotal: total((l) => l.tax),
    total: total((l) => l.total),
  };
}

/** Line amounts and proposal totals. A proposal without lines totals 0.00. */
export function computeTotals(lines: LineInput[]): { lines: LineAmounts[]; totals: ProposalTotals } {
  const computed = lines.map(computeLine);
  return { lines: computed, totals: sumLineAmounts(computed) };
}

/**
 * A proposal whose totals the money columns cannot hold (subtotal or total above MAX_AMOUNT): every
 * line may be valid (`checkLine`) and their sum still too large.
 */
export function exceedsMaxAmount(totals: ProposalTotals): boolean {
  return compare(parseDecimal(totals.total), MAX) > 0 || compare(parseDecimal(totals.subtotal), MAX) > 0;
}

/**
 * es-MX money text: "$12,345.60 MXN" — comma thousands separator, point decimal, always 2
 * decimals (rounded half up), "-$…" for negatives, currency code appended when given.
 * `amount` is a decimal string; throws RangeError otherwise.
 */
export function formatMoneyMx(amount: string, currency: string): string {
  const text = formatDecimal(roundHalfUp(parseDecimal(amount.trim()), 2), 2);
  const negative = text.startsWith("-");
  const [intPart = "0", frac = "00"] = (negative ? text.slice(1) : text).split(".");
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const code = currency.trim();
  return `${negative ? "-" : ""}$${grouped}.${frac}${code ? ` ${code}` : ""}`;
}

/**
 * Exact decimal arithmetic for money and quantities: a value is `units / 10^scale` with `units` a
 * bigint, so "0.1 + 0.2" is exactly "0.3" and nothing ever passes through a binary float.
 *
 * Rounding is always explicit. `roundHalfUp` rounds halves away from zero, which is what SAT's
 * Anexo 20 calls "redondeo" (a 5 in the first discarded digit raises the last kept digit; the
 * sign does not matter because CFDI amounts are non-negative) and what Mexican cash registers do.
 */

export type Decimal = { readonly units: bigint; readonly scale: number };

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;
const POW10: bigint[] = [];
for (let i = 0; i <= 40; i++) POW10.push(10n ** BigInt(i));

function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

/** Parses a plain decimal string ("12", "-0.50", "3.141593"). No exponents, no grouping. */
export function parseDecimal(text: string): Decimal {
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
  const frac = m[3] ?? "";
  let units = BigInt((m[2] ?? "0") + frac);
  if (m[1] === "-") units = -units;
  return { units, scale: frac.length };
}

/** True when `text` is a plain decimal string accepted by `parseDecimal`. */
export function isDecimalString(text: string): boolean {
  return DECIMAL_RE.test(text);
}

export function decimalFromInteger(n: bigint | number): Decimal {
  if (typeof n === "number" && !Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
  return { units: BigInt(n), scale: 0 };
}

/** Converts integer minor units (e.g. cents) into a decimal with `places` decimals. */
export function fromMinorUnits(units: bigint, places: number): Decimal {
  return { units, scale: places };
}

/** Integer minor units at `places` decimals, rounding half up when the value has more decimals. */
export function toMinorUnits(a: Decimal, places: number): bigint {
  return roundHalfUp(a, places).units;
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

function rescale(a: Decimal, scale: number): bigint {
  return a.units * pow10(scale - a.scale);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function sub(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) - rescale(b, scale), scale };
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function neg(a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale };
}

export function sum(values: Iterable<Decimal>): Decimal {
  let acc = ZERO;
  for (const v of values) acc = add(acc, v);
  return acc;
}

export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function equals(a: Decimal, b: Decimal): boolean {
  return compare(a, b) === 0;
}

export function isZero(a: Decimal): boolean {
  return a.units === 0n;
}

export function isNegative(a: Decimal): boolean {
  return a.units < 0n;
}

export function min(a: Decimal, b: Decimal): Decimal {
  return compare(a, b) <= 0 ? a : b;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return compare(a, b) >= 0 ? a : b;
}

/** Number of decimals actually written, ignoring trailing zeros ("1.500" → 1). */
export function significantScale(a: Decimal): number {
  let { units, scale } = a;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  return scale;
}

/** Rounds to `places` decimals, halves away from zero (SAT "redondeo"). */
export function roundHalfUp(a: Decimal, places: number): Decimal {
  if (a.scale <= places) return { units: rescale(a, places), scale: places };
  const divisor = pow10(a.scale - places);
  const negative = a.units < 0n;
  const abs = negative ? -a.units : a.units;
  let q = abs / divisor;
  const r = abs % divisor;
  if (r * 2n >= divisor) q += 1n;
  return { units: negative ? -q : q, scale: places };
}

/** Drops digits beyond `places` decimals (towards zero). SAT uses it for lower tolerance limits. */
export function truncate(a: Decimal, places: number): Decimal {
  if (a.scale <= places) return { units: rescale(a, places), scale: places };
  return { units: a.units / pow10(a.scale - places), scale: places };
}

/** Rounds away from zero to `places` decimals (ceiling on magnitude); SAT upper tolerance limits. */
export function roundUp(a: Decimal, places: number): Decimal {
  if (a.scale <= places) return { units: rescale(a, places), scale: places };
  const divisor = pow10(a.scale - places);
  const negative = a.units < 0n;
  const abs = negative ? -a.units : a.units;
  let q = abs / divisor;
  if (abs % divisor !== 0n) q += 1n;
  return { units: negative ? -q : q, scale: places };
}

/** a / b rounded half up to `places` decimals. */
export function divide(a: Decimal, b: Decimal, places: number): Decimal {
  if (b.units === 0n) throw new RangeError("division by zero");
  // a/b = (a.units/10^as) / (b.units/10^bs); compute with two extra digits then round.
  const extra = places + 2;
  const num = a.units * pow10(b.scale + extra);
  const den = b.units * pow10(a.scale);
  return roundHalfUp({ units: num / den, scale: extra }, places);
}

/**
 * Fixed-point text. With `places` the value is rounded half up to exactly that many decimals;
 * without it, the value's own scale is kept ("2.50" stays "2.50").
 */
export function formatDecimal(a: Decimal, places?: number): string {
  const v = places === undefined ? a : roundHalfUp(a, places);
  const negative = v.units < 0n;
  let digits = (negative ? -v.units : v.units).toString();
  if (v.scale > 0) {
    digits = digits.padStart(v.scale + 1, "0");
    digits = `${digits.slice(0, -v.scale)}.${digits.slice(-v.scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** Drops trailing fractional zeros: "1.500000" → "1.5", "2.00" → "2". */
export function formatMinimal(a: Decimal): string {
  return formatDecimal({ units: a.units / pow10(a.scale - significantScale(a)), scale: significantScale(a) });
}

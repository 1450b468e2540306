/**
 * MSI (meses sin intereses) schedules (issue 14): a seller-financed plan of 3, 6, 9, 12 or 18 monthly
 * installments. Runtime-free: amounts are decimal strings handled in integer cents, dates are
 * calendar dates (YYYY-MM-DD) in the tenant's time zone.
 *
 * The rules, fixed here and in the API docs:
 * - **Amounts.** The total (in cents) is divided by the count; every installment gets the quotient
 *   and the first one also the remainder. 1,000.00 in 3 → 333.34, 333.33, 333.33. The sum is always
 *   the total, to the cent.
 * - **Due dates.** Installment 1 is due on the start date and each next one a month later, on the
 *   start date's day of the month, or the month's last day when it has fewer days: a plan starting
 *   Jan 31 is due Jan 31, Feb 28 (29 in a leap year), Mar 31, Apr 30… — always counted from the start
 *   date, so one short month never shifts the rest.
 */

export const MSI_COUNTS = [3, 6, 9, 12, 18] as const;
export type MsiCount = (typeof MSI_COUNTS)[number];

export function isMsiCount(n: unknown): n is MsiCount {
  return typeof n === "number" && (MSI_COUNTS as readonly number[]).includes(n);
}

export interface ScheduledInstallment {
  /** 1-based. */
  number: number;
  /** YYYY-MM-DD in the tenant's time zone. */
  dueDate: string;
  /** Decimal string with two places. */
  amount: string;
}

const AMOUNT_RE = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Cents of a positive amount with at most two decimals, or null. */
export function toCents(amount: string): bigint | null {
  if (!AMOUNT_RE.test(amount)) return null;
  const [int, frac = ""] = amount.split(".");
  return BigInt(int!) * 100n + BigInt((frac + "00").slice(0, 2));
}

export function fromCents(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

/** The split rule above, in cents. */
export function splitAmount(totalCents: bigint, count: number): bigint[] {
  if (count < 1) throw new RangeError("count must be at least 1");
  const n = BigInt(count);
  const base = totalCents / n;
  const rest = totalCents - base * n;
  return Array.from({ length: count }, (_, i) => (i === 0 ? base + rest : base));
}

export function isCalendarDate(date: string): boolean {
  const m = DATE_RE.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `start` plus `months` calendar months, clamped to the end of the month (see the rules above). */
export function addMonthsClamped(start: string, months: number): string {
  const m = DATE_RE.exec(start);
  if (!m) throw new TypeError(`not a date: ${start}`);
  const day = Number(m[3]);
  const index = Number(m[1]) * 12 + (Number(m[2]) - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const d = Math.min(day, daysInMonth(year, month));
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** The plan's installments: amounts split to the cent, due dates monthly from `startDate`. */
export function msiSchedule(total: string, count: MsiCount, startDate: string): ScheduledInstallment[] {
  const cents = toCents(total);
  if (cents === null || cents <= 0n) throw new RangeError(`total must be a positive amount: ${total}`);
  if (!isCalendarDate(startDate)) throw new RangeError(`startDate must be YYYY-MM-DD: ${startDate}`);
  return splitAmount(cents, count).map((c, i) => ({
    number: i + 1,
    dueDate: addMonthsClamped(startDate, i),
    amount: fromCents(c),
  }));
}

/** Today's calendar date in `timeZone` (the tenant's), for due and overdue decisions. */
export function localDate(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Whole days from `a` to `b` (calendar dates). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

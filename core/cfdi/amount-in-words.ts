/**
 * "Importe con letra" for the printed CFDI, as Mexican invoices write it:
 * 1160.00 MXN → "MIL CIENTO SESENTA PESOS 00/100 M.N.". Integer arithmetic only (bigint); the
 * amount comes in as the decimal string of the XML `Total`.
 */
import { formatDecimal, parseDecimal, roundHalfUp } from "../money/decimal.ts";

const UNITS = [
  "",
  "UNO",
  "DOS",
  "TRES",
  "CUATRO",
  "CINCO",
  "SEIS",
  "SIETE",
  "OCHO",
  "NUEVE",
  "DIEZ",
  "ONCE",
  "DOCE",
  "TRECE",
  "CATORCE",
  "QUINCE",
  "DIECISÉIS",
  "DIECISIETE",
  "DIECIOCHO",
  "DIECINUEVE",
  "VEINTE",
  "VEINTIUNO",
  "VEINTIDÓS",
  "VEINTITRÉS",
  "VEINTICUATRO",
  "VEINTICINCO",
  "VEINTISÉIS",
  "VEINTISIETE",
  "VEINTIOCHO",
  "VEINTINUEVE",
];
const TENS = ["", "", "", "TREINTA", "CUARENTA", "CINCUENTA", "SESENTA", "SETENTA", "OCHENTA", "NOVENTA"];
const HUNDREDS = [
  "",
  "CIENTO",
  "DOSCIENTOS",
  "TRESCIENTOS",
  "CUATROCIENTOS",
  "QUINIENTOS",
  "SEISCIENTOS",
  "SETECIENTOS",
  "OCHOCIENTOS",
  "NOVECIENTOS",
];

/** 1–999. `apocope`: "UNO" → "UN" (and "VEINTIUNO" → "VEINTIÚN") before a noun such as MIL or PESOS. */
function below1000(n: number, apocope: boolean): string {
  if (n === 100) return "CIEN";
  const h = Math.floor(n / 100);
  const r = n % 100;
  const parts: string[] = [];
  if (h) parts.push(HUNDREDS[h] as string);
  if (r) {
    let w: string;
    if (r < 30) w = UNITS[r] as string;
    else w = (TENS[Math.floor(r / 10)] as string) + (r % 10 ? ` Y ${UNITS[r % 10]}` : "");
    if (apocope && r % 10 === 1 && r !== 11) w = w === "VEINTIUNO" ? "VEINTIÚN" : w.replace(/UNO$/, "UN");
    parts.push(w);
  }
  return parts.join(" ");
}

/** 0 – 999,999 */
function below1e6(n: number, apocope: boolean): string {
  const th = Math.floor(n / 1000);
  const r = n % 1000;
  const parts: string[] = [];
  if (th === 1) parts.push("MIL");
  else if (th > 1) parts.push(`${below1000(th, true)} MIL`);
  if (r) parts.push(below1000(r, apocope));
  return parts.join(" ");
}

/** Cardinal in Spanish (long scale: millón = 10⁶, billón = 10¹²), upper case. */
export function integerToSpanishWords(value: bigint, apocope = false): string {
  if (value < 0n) return `MENOS ${integerToSpanishWords(-value, apocope)}`;
  if (value === 0n) return "CERO";
  const MILLION = 1_000_000n;
  const groups: number[] = [];
  let v = value;
  while (v > 0n) {
    groups.push(Number(v % MILLION));
    v /= MILLION;
  }
  const names: [string, string][] = [
    ["", ""],
    ["MILLÓN", "MILLONES"],
    ["BILLÓN", "BILLONES"],
    ["TRILLÓN", "TRILLONES"],
  ];
  const parts: string[] = [];
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i] as number;
    if (!g) continue;
    if (i === 0) parts.push(below1e6(g, apocope));
    else {
      const [one, many] = names[i] ?? ["?", "?"];
      parts.push(g === 1 ? `UN ${one}` : `${below1e6(g, true)} ${many}`);
    }
  }
  return parts.join(" ");
}

const CURRENCY_WORDS: Record<string, { singular: string; plural: string; suffix: string }> = {
  MXN: { singular: "PESO", plural: "PESOS", suffix: "M.N." },
  USD: { singular: "DÓLAR", plural: "DÓLARES", suffix: "USD" },
  EUR: { singular: "EURO", plural: "EUROS", suffix: "EUR" },
  CAD: { singular: "DÓLAR CANADIENSE", plural: "DÓLARES CANADIENSES", suffix: "CAD" },
};

/**
 * "MIL CIENTO SESENTA PESOS 00/100 M.N." The cents are rounded half up to two decimals; "DE"
 * goes before the currency after an exact million ("UN MILLÓN DE PESOS").
 */
export function amountInWords(amount: string, moneda = "MXN", decimals = 2): string {
  const d = roundHalfUp(parseDecimal(amount), decimals);
  const text = formatDecimal(d);
  const [intPart, frac = ""] = text.replace(/^-/, "").split(".");
  const integer = BigInt(intPart as string);
  const cur = CURRENCY_WORDS[moneda] ?? { singular: moneda, plural: moneda, suffix: moneda };
  const words = integerToSpanishWords(integer, true);
  const de = integer >= 1_000_000n && integer % 1_000_000n === 0n ? " DE" : "";
  const noun = integer === 1n ? cur.singular : cur.plural;
  const cents = decimals > 0 ? ` ${frac}/1${"0".repeat(decimals)}` : "";
  return `${text.startsWith("-") ? "MENOS " : ""}${words}${de} ${noun}${cents} ${cur.suffix}`;
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as sat from "../cfdi/amounts.ts";
import { buildComprobante } from "../cfdi/build.ts";
import { CfdiError } from "../cfdi/errors.ts";
import type { ConceptoInput, InvoiceInput } from "../cfdi/invoice-input.ts";
import { formatDecimal, mul, parseDecimal, roundHalfUp, sum } from "../money/decimal.ts";
import {
  MAX_AMOUNT,
  checkLine,
  computeLine,
  computeTotals,
  exceedsMaxAmount,
  formatMoneyMx,
  sumLineAmounts,
} from "./totals.ts";
import type { LineAmounts, LineInput } from "./totals.ts";

const TWO_DECIMALS = /^\d+\.\d{2}$/;

describe("computeLine", () => {
  it("applies the documented rule step by step", () => {
    // 3 × 1,234.5678 = 3,703.7034 → 3,703.70; 12.5 % = 462.9625 → 462.96; base 3,240.74;
    // 16 % = 518.5184 → 518.52; total 3,759.26
    expect(computeLine({ quantity: "3", unitPrice: "1234.5678", discountPercent: "12.5", taxRate: "0.16" })).toEqual({
      subtotal: "3703.70",
      discount: "462.96",
      taxableBase: "3240.74",
      tax: "518.52",
      total: "3759.26",
    });
  });

  it("rounds half up at every step", () => {
    expect(computeLine({ quantity: "1", unitPrice: "0.125", taxRate: null }).subtotal).toBe("0.13");
    expect(computeLine({ quantity: "1", unitPrice: "0.1249", taxRate: null }).subtotal).toBe("0.12");
    expect(computeLine({ quantity: "3", unitPrice: "0.3333", taxRate: null }).subtotal).toBe("1.00"); // 0.9999
    expect(computeLine({ quantity: "1", unitPrice: "10", discountPercent: "33.33", taxRate: null }).discount).toBe(
      "3.33",
    ); // 3.333
    expect(computeLine({ quantity: "1", unitPrice: "10.01", discountPercent: "50", taxRate: null }).discount).toBe(
      "5.01",
    ); // 5.005
    expect(computeLine({ quantity: "1", unitPrice: "0.03", taxRate: "0.16" }).tax).toBe("0.00"); // 0.0048
    expect(computeLine({ quantity: "1", unitPrice: "0.05", taxRate: "0.1" }).tax).toBe("0.01"); // 0.005
    // the binary-float trap: 1.005 × 100 in floats is 100.49999…
    expect(computeLine({ quantity: "100", unitPrice: "1.005", taxRate: null }).subtotal).toBe("100.50");
    expect(computeLine({ quantity: "0.0001", unitPrice: "0.0001", taxRate: null }).subtotal).toBe("0.00");
  });

  it("exento (null) and tasa 0 both add no tax", () => {
    expect(computeLine({ quantity: "2", unitPrice: "25.50", taxRate: null })).toEqual({
      subtotal: "51.00",
      discount: "0.00",
      taxableBase: "51.00",
      tax: "0.00",
      total: "51.00",
    });
    expect(computeLine({ quantity: "2", unitPrice: "25.50", taxRate: "0" }).tax).toBe("0.00");
    expect(computeLine({ quantity: "2", unitPrice: "25.50", taxRate: "0.000000" }).total).toBe("51.00");
  });

  it("handles free lines and 100 % discounts without negatives", () => {
    expect(computeLine({ quantity: "5", unitPrice: "0", taxRate: "0.16" })).toEqual({
      subtotal: "0.00",
      discount: "0.00",
      taxableBase: "0.00",
      tax: "0.00",
      total: "0.00",
    });
    expect(computeLine({ quantity: "1", unitPrice: "999.99", discountPercent: "100", taxRate: "0.16" })).toEqual({
      subtotal: "999.99",
      discount: "999.99",
      taxableBase: "0.00",
      tax: "0.00",
      total: "0.00",
    });
  });

  it("accepts values read back from numeric columns (trailing zeros)", () => {
    expect(
      computeLine({ quantity: "2.0000", unitPrice: "100.5000", discountPercent: "10.00", taxRate: "0.160000" }).total,
    ).toBe("209.84");
  });

  it("reaches the column maximum but not beyond", () => {
    expect(computeLine({ quantity: "1", unitPrice: MAX_AMOUNT, taxRate: null }).total).toBe(MAX_AMOUNT);
    // below the unit price limit, but the subtotal rounds up to 1,000,000,000,000.00
    expect(checkLine({ quantity: "1", unitPrice: "999999999999.995", taxRate: null }).map((i) => i.field)).toEqual([
      "quantity",
    ]);
    expect(() => computeLine({ quantity: "1", unitPrice: "999999999999.995", taxRate: null })).toThrow(/máximo/);
  });
});

describe("checkLine", () => {
  const ok: LineInput = { quantity: "1", unitPrice: "100", discountPercent: "0", taxRate: "0.16" };
  const fields = (patch: Partial<Record<keyof LineInput, unknown>>) =>
    checkLine({ ...ok, ...patch } as LineInput).map((i) => i.field);

  it("accepts the usual lines", () => {
    expect(checkLine(ok)).toEqual([]);
    expect(checkLine({ quantity: "0.0001", unitPrice: "0", taxRate: null })).toEqual([]);
    expect(
      checkLine({ quantity: "9999999999.9999", unitPrice: "99.9999", discountPercent: "100", taxRate: "1" }),
    ).toEqual([]);
    expect(checkLine({ quantity: "1", unitPrice: "1", discountPercent: "99.99", taxRate: "0.08" })).toEqual([]);
  });

  it.each([
    [{ quantity: "0" }, ["quantity"]],
    [{ quantity: "0.0000" }, ["quantity"]],
    [{ quantity: "-1" }, ["quantity"]],
    [{ quantity: "+1" }, ["quantity"]],
    [{ quantity: "1.00001" }, ["quantity"]],
    [{ quantity: "1e3" }, ["quantity"]],
    [{ quantity: "1,000" }, ["quantity"]],
    [{ quantity: " 1" }, ["quantity"]],
    [{ quantity: ".5" }, ["quantity"]],
    [{ quantity: "1." }, ["quantity"]],
    [{ quantity: "" }, ["quantity"]],
    [{ quantity: 1 }, ["quantity"]],
    [{ quantity: "10000000000" }, ["quantity"]],
    [{ quantity: "1".repeat(41) }, ["quantity"]],
    [{ unitPrice: "-0.01" }, ["unitPrice"]],
    [{ unitPrice: "0.00001" }, ["unitPrice"]],
    [{ unitPrice: "NaN" }, ["unitPrice"]],
    [{ unitPrice: "1000000000000" }, ["unitPrice"]],
    [{ unitPrice: 12.5 }, ["unitPrice"]],
    [{ discountPercent: "100.01" }, ["discountPercent"]],
    [{ discountPercent: "-5" }, ["discountPercent"]],
    [{ discountPercent: "10.001" }, ["discountPercent"]],
    [{ discountPercent: "10%" }, ["discountPercent"]],
    [{ taxRate: "16" }, ["taxRate"]],
    [{ taxRate: "1.000001" }, ["taxRate"]],
    [{ taxRate: "0.1600001" }, ["taxRate"]],
    [{ taxRate: "" }, ["taxRate"]],
    [{ taxRate: undefined }, ["taxRate"]],
    [
      { quantity: "0", unitPrice: "-1", discountPercent: "101", taxRate: "2" },
      ["quantity", "unitPrice", "discountPercent", "taxRate"],
    ],
  ])("%j → %j", (patch, expected) => {
    expect(fields(patch)).toEqual(expected);
  });

  it("treats a missing or null discount as 0 %", () => {
    expect(checkLine({ quantity: "1", unitPrice: "1", taxRate: null })).toEqual([]);
    expect(
      checkLine({ quantity: "1", unitPrice: "1", discountPercent: null, taxRate: null } as unknown as LineInput),
    ).toEqual([]);
  });

  it("rejects a line whose total does not fit the money columns", () => {
    const issues = checkLine({ quantity: "9999999999", unitPrice: "999999999999", taxRate: "0.16" });
    expect(issues.map((i) => i.field)).toEqual(["quantity"]);
    expect(issues[0]?.message).toContain("$999,999,999,999.99");
    expect(checkLine({ quantity: "1", unitPrice: "862068965517.24", taxRate: "0.16" }).length).toBe(1); // + 137,931,034,482.76 = 1,000,000,000,000.00
    expect(checkLine({ quantity: "1", unitPrice: "862068965517.23", taxRate: "0.16" })).toEqual([]); // total 999,999,999,999.99
    expect(computeLine({ quantity: "1", unitPrice: "862068965517.23", taxRate: "0.16" }).total).toBe(MAX_AMOUNT);
  });

  it("messages are Spanish and computeLine refuses invalid lines", () => {
    for (const i of checkLine({ quantity: "0", unitPrice: "x", discountPercent: "200", taxRate: "3" }))
      expect(i.message).toMatch(/^(La|El) /);
    expect(() => computeLine({ quantity: "0", unitPrice: "1", taxRate: null })).toThrow(RangeError);
    expect(() => computeLine({ quantity: "1", unitPrice: "1", taxRate: "0.16", discountPercent: "abc" })).toThrow(
      /discountPercent/,
    );
  });
});

describe("computeTotals / sumLineAmounts", () => {
  it("the acceptance proposal: three items, one discounted, one exempt — exact to the cent", () => {
    const { lines, totals } = computeTotals([
      { quantity: "3", unitPrice: "4999.99", discountPercent: "10", taxRate: "0.16" }, // 14,999.97 − 1,500.00 (1,499.997) = 13,499.97; IVA 2,159.9952 → 2,160.00
      { quantity: "1", unitPrice: "1500", taxRate: null }, // exento
      { quantity: "12.5", unitPrice: "85.333", taxRate: "0.16" }, // 1,066.6625 → 1,066.66; IVA 170.6656 → 170.67
    ]);
    expect(lines).toEqual([
      { subtotal: "14999.97", discount: "1500.00", taxableBase: "13499.97", tax: "2160.00", total: "15659.97" },
      { subtotal: "1500.00", discount: "0.00", taxableBase: "1500.00", tax: "0.00", total: "1500.00" },
      { subtotal: "1066.66", discount: "0.00", taxableBase: "1066.66", tax: "170.67", total: "1237.33" },
    ]);
    expect(totals).toEqual({ subtotal: "17566.63", discountTotal: "1500.00", taxTotal: "2330.67", total: "18397.30" });
  });

  it("an empty proposal totals zero", () => {
    expect(computeTotals([])).toEqual({
      lines: [],
      totals: { subtotal: "0.00", discountTotal: "0.00", taxTotal: "0.00", total: "0.00" },
    });
    expect(sumLineAmounts([])).toEqual({ subtotal: "0.00", discountTotal: "0.00", taxTotal: "0.00", total: "0.00" });
  });

  it("rounds tax per line, not once on the subtotal", () => {
    const line = { quantity: "1", unitPrice: "0.10", taxRate: "0.16" }; // 0.016 → 0.02 per line
    const { totals } = computeTotals([line, line, line]);
    expect(totals.taxTotal).toBe("0.06"); // once on 0.30 would be 0.048 → 0.05
    expect(totals.total).toBe("0.36");
  });

  it("exceedsMaxAmount: valid lines whose sum the money columns cannot hold (total or subtotal)", () => {
    const atMax = { quantity: "1", unitPrice: MAX_AMOUNT, taxRate: null };
    expect(exceedsMaxAmount(computeTotals([atMax]).totals)).toBe(false);
    expect(exceedsMaxAmount(computeTotals([atMax, { quantity: "1", unitPrice: "0.01", taxRate: null }]).totals)).toBe(
      true,
    );
    // Half off each: the total (999,999,999,999.98) fits, the subtotal does not.
    const halfOff = computeTotals([
      { ...atMax, discountPercent: "50" },
      { ...atMax, discountPercent: "50" },
    ]).totals;
    expect(halfOff.total).toBe("999999999999.98");
    expect(exceedsMaxAmount(halfOff)).toBe(true);
  });

  it("sumLineAmounts rejects values that are not decimals", () => {
    const bad: LineAmounts = { subtotal: "1.00", discount: "x", taxableBase: "1.00", tax: "0.00", total: "1.00" };
    expect(() => sumLineAmounts([bad])).toThrow(RangeError);
  });
});

// --- properties ---------------------------------------------------------------------------------

/** Decimal text of `units / 10^scale`. */
const dec = (units: bigint, scale: number) => formatDecimal({ units, scale });
const lineArb: fc.Arbitrary<LineInput> = fc
  .record({
    quantity: fc
      .oneof(fc.bigInt({ min: 1n, max: 100_000_000n }), fc.bigInt({ min: 1n, max: 99_999_999_999_999n }))
      .map((u) => dec(u, 4)),
    unitPrice: fc
      .oneof(fc.bigInt({ min: 0n, max: 10_000_000n }), fc.bigInt({ min: 0n, max: 1_000_000_000n }))
      .map((u) => dec(u, 4)),
    discountPercent: fc.option(
      fc.bigInt({ min: 0n, max: 10_000n }).map((u) => dec(u, 2)),
      { nil: undefined },
    ),
    taxRate: fc.option(fc.constantFrom("0.16", "0.08", "0", "0.160000", "1", "0.053", "0.000001"), { nil: null }),
  })
  .filter((l) => checkLine(l).length === 0);

/** Independent reference in integer cents: half up = floor((2n + d) / 2d) for n ≥ 0. */
function halfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}
function scaled(text: string, places: number): bigint {
  const [i = "0", f = ""] = text.split(".");
  return BigInt(i + f.padEnd(places, "0"));
}
function referenceCents(l: LineInput): { subtotal: bigint; discount: bigint; tax: bigint; total: bigint } {
  const subtotal = halfUp(scaled(l.quantity, 4) * scaled(l.unitPrice, 4), 1_000_000n); // 10^8 → 10^2
  const discount = halfUp(subtotal * scaled(l.discountPercent ?? "0", 2), 10_000n); // % (10^2) and /100
  const base = subtotal - discount;
  const tax = l.taxRate === null ? 0n : halfUp(base * scaled(l.taxRate, 6), 1_000_000n);
  return { subtotal, discount, tax, total: base + tax };
}
const cents = (text: string) => scaled(text, 2);

describe("properties", () => {
  it("every line equals a reference computed in bigint cents", () => {
    fc.assert(
      fc.property(lineArb, (l) => {
        const a = computeLine(l);
        const r = referenceCents(l);
        expect([cents(a.subtotal), cents(a.discount), cents(a.tax), cents(a.total)]).toEqual([
          r.subtotal,
          r.discount,
          r.tax,
          r.total,
        ]);
        expect(cents(a.taxableBase)).toBe(r.subtotal - r.discount);
      }),
      { numRuns: 3000 },
    );
  });

  it("values have 2 decimals, are never negative, and add up", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 25 }), (lines) => {
        const { lines: amounts, totals } = computeTotals(lines);
        for (const a of amounts) {
          for (const v of Object.values(a)) expect(v).toMatch(TWO_DECIMALS);
          expect(cents(a.discount)).toBeLessThanOrEqual(cents(a.subtotal));
          expect(cents(a.total)).toBe(cents(a.subtotal) - cents(a.discount) + cents(a.tax));
        }
        for (const v of Object.values(totals)) expect(v).toMatch(TWO_DECIMALS);
        const s = (k: keyof LineAmounts) => amounts.reduce((acc, a) => acc + cents(a[k]), 0n);
        expect(cents(totals.subtotal)).toBe(s("subtotal"));
        expect(cents(totals.discountTotal)).toBe(s("discount"));
        expect(cents(totals.taxTotal)).toBe(s("tax"));
        expect(cents(totals.total)).toBe(s("total"));
        expect(cents(totals.total)).toBe(cents(totals.subtotal) - cents(totals.discountTotal) + cents(totals.taxTotal));
        expect(sumLineAmounts(amounts)).toEqual(totals);
      }),
      { numRuns: 500 },
    );
  });

  it("totals do not depend on the order of the lines", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 10 }), (lines) => {
        expect(computeTotals([...lines].reverse()).totals).toEqual(computeTotals(lines).totals);
      }),
      { numRuns: 200 },
    );
  });
});

// --- SAT (CFDI 4.0) -------------------------------------------------------------------------------

function satTotals(lines: LineInput[], decimals: number) {
  const amounts = lines.map((l) => {
    const a = computeLine(l);
    return sat.computeLine(
      {
        cantidad: parseDecimal(l.quantity),
        valorUnitario: parseDecimal(l.unitPrice),
        ...(a.discount !== "0.00" ? { descuento: parseDecimal(a.discount) } : {}),
        traslados: [
          l.taxRate === null
            ? { impuesto: "002", tipoFactor: "Exento" as const }
            : { impuesto: "002", tipoFactor: "Tasa" as const, tasaOCuota: parseDecimal(l.taxRate) },
        ],
        retenciones: [],
      },
      decimals,
    );
  });
  const t = sat.computeTotals(amounts, decimals);
  return {
    subtotal: formatDecimal(t.subTotal, decimals),
    discountTotal: formatDecimal(t.descuento ?? parseDecimal("0"), decimals),
    taxTotal: formatDecimal(t.totalTrasladados ?? parseDecimal("0"), decimals),
    total: formatDecimal(t.total, decimals),
  };
}

function concepto(l: LineInput, objetoImp = "02"): ConceptoInput {
  const a = computeLine(l);
  return {
    claveProdServ: "81112101",
    cantidad: l.quantity,
    claveUnidad: "E48",
    descripcion: "Servicio",
    valorUnitario: l.unitPrice,
    ...(a.discount !== "0.00" ? { descuento: a.discount } : {}),
    objetoImp,
    ...(objetoImp === "02"
      ? {
          traslados: [
            l.taxRate === null
              ? { impuesto: "IVA", tipoFactor: "Exento" }
              : { impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: l.taxRate },
          ],
        }
      : {}),
  };
}

function invoice(conceptos: ConceptoInput[], totalEsperado: string, moneda = "MXN"): InvoiceInput {
  return {
    fecha: "2025-03-14T10:30:00",
    tipoDeComprobante: "I",
    formaPago: "03",
    metodoPago: "PUE",
    lugarExpedicion: "86000",
    ...(moneda !== "MXN" ? { moneda, tipoCambio: "0.1187" } : {}),
    emisor: { rfc: "EKU9003173C9", nombre: "ESCUELA KEMPER URGATE", regimenFiscal: "601" },
    receptor: {
      rfc: "MCI7306249Y1",
      nombre: "MUNICIPIO",
      domicilioFiscal: "54700",
      regimenFiscal: "603",
      usoCfdi: "G03",
    },
    conceptos,
    totalEsperado,
  };
}

function cfdiCodes(input: InvoiceInput): string[] {
  try {
    buildComprobante(input);
    return [];
  } catch (e) {
    if (e instanceof CfdiError) return e.issues.map((i) => i.code);
    throw e;
  }
}

describe("agreement with SAT's CFDI 4.0 amounts (core/cfdi/amounts.ts)", () => {
  const taxable = lineArb.filter((l) => computeLine(l).taxableBase !== "0.00" || l.taxRate === null);

  it("a proposal in cents has the SubTotal, Descuento, traslados and Total its CFDI will have", () => {
    fc.assert(
      fc.property(fc.array(taxable, { minLength: 1, maxLength: 12 }), (lines) => {
        expect(satTotals(lines, 2)).toEqual(computeTotals(lines).totals);
      }),
      { numRuns: 500 },
    );
  });

  it("the CFDI builder accepts the proposal total as totalEsperado", () => {
    // c_TasaOCuota only has IVA traslado 0, 8 % and 16 %.
    // Zero-priced and zero-base lines are covered by the tests below.
    const cfdiRate = taxable.filter(
      (l) =>
        (l.taxRate === null || ["0", "0.08", "0.16", "0.160000"].includes(l.taxRate)) &&
        computeLine(l).taxableBase !== "0.00",
    );
    fc.assert(
      fc.property(fc.array(cfdiRate, { minLength: 1, maxLength: 5 }), (lines) => {
        expect(
          cfdiCodes(
            invoice(
              lines.map((l) => concepto(l)),
              computeTotals(lines).totals.total,
            ),
          ),
        ).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("differs for currencies without cents (JPY): the builder refuses rather than change the amount", () => {
    const lines = [{ quantity: "3", unitPrice: "333.5", taxRate: "0.16" }];
    expect(computeTotals(lines).totals.total).toBe("1160.58"); // 1,000.50 + 160.08
    expect(satTotals(lines, 0).total).toBe("1161"); // 1,001 + 160
    expect(
      cfdiCodes(
        invoice(
          lines.map((l) => concepto(l)),
          "1160.58",
          "JPY",
        ),
      ),
    ).toEqual(["TOO_MANY_DECIMALS"]);
  });

  it("accepts IVA rates a CFDI cannot carry; the CFDI builder rejects them (c_TasaOCuota)", () => {
    const lines = [{ quantity: "1", unitPrice: "100", taxRate: "0.1" }];
    expect(computeTotals(lines).totals.total).toBe("110.00");
    expect(
      cfdiCodes(
        invoice(
          lines.map((l) => concepto(l)),
          "110.00",
        ),
      ),
    ).toEqual(["TASA_O_CUOTA"]);
  });

  it("a taxed line with a zero base must go to the CFDI as ObjetoImp 01; totals unchanged", () => {
    const lines: LineInput[] = [
      { quantity: "1", unitPrice: "1000", taxRate: "0.16" },
      { quantity: "1", unitPrice: "250", discountPercent: "100", taxRate: "0.16" }, // bonificación
    ];
    const total = computeTotals(lines).totals.total;
    expect(total).toBe("1160.00");
    expect(
      cfdiCodes(
        invoice(
          lines.map((l) => concepto(l)),
          total,
        ),
      ),
    ).toContain("BASE_NO_POSITIVA");
    expect(cfdiCodes(invoice([concepto(lines[0]!), concepto(lines[1]!, "01")], total))).toEqual([]);
  });

  it("a free line (unit price 0) cannot be a CFDI concept: the builder must leave it out; totals unchanged", () => {
    const lines: LineInput[] = [
      { quantity: "1", unitPrice: "1000", taxRate: "0.16" },
      { quantity: "2", unitPrice: "0", taxRate: "0.16" }, // cortesía
    ];
    const total = computeTotals(lines).totals.total;
    expect(total).toBe("1160.00");
    expect(
      cfdiCodes(
        invoice(
          lines.map((l) => concepto(l)),
          total,
        ),
      ),
    ).toContain("NOT_POSITIVE");
    expect(cfdiCodes(invoice([concepto(lines[0]!)], total))).toEqual([]);
  });

  it("rounding once on the subtotal would not match SAT; per-line rounding does", () => {
    const lines = Array.from({ length: 3 }, () => ({ quantity: "1", unitPrice: "0.10", taxRate: "0.16" }));
    const onSubtotal = formatDecimal(
      roundHalfUp(mul(sum(lines.map((l) => parseDecimal(computeLine(l).subtotal))), parseDecimal("0.16")), 2),
    );
    expect(onSubtotal).toBe("0.05");
    expect(satTotals(lines, 2).taxTotal).toBe("0.06");
    expect(computeTotals(lines).totals.taxTotal).toBe("0.06");
  });
});

describe("formatMoneyMx", () => {
  it.each([
    ["12345.6", "MXN", "$12,345.60 MXN"],
    ["0", "MXN", "$0.00 MXN"],
    ["0.005", "MXN", "$0.01 MXN"],
    ["0.004", "MXN", "$0.00 MXN"],
    ["-0.004", "MXN", "$0.00 MXN"],
    ["999.995", "USD", "$1,000.00 USD"],
    ["1234567.891", "MXN", "$1,234,567.89 MXN"],
    ["-1234.5", "MXN", "-$1,234.50 MXN"],
    ["100", "USD", "$100.00 USD"],
    ["999999999999.99", "MXN", "$999,999,999,999.99 MXN"],
    ["123456789012345678901234567890.1", "MXN", "$123,456,789,012,345,678,901,234,567,890.10 MXN"],
    ["1000", "", "$1,000.00"],
  ])("%s %s → %s", (amount, currency, expected) => {
    expect(formatMoneyMx(amount, currency)).toBe(expected);
  });

  it("refuses non-decimal text", () => {
    for (const bad of ["", "1,000", "1e3", "abc", "NaN", "$5"])
      expect(() => formatMoneyMx(bad, "MXN")).toThrow(RangeError);
  });
});

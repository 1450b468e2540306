/**
 * fast-check generators of *valid* invoice inputs covering every option the engine supports
 * (Scope 1 of issue 6): I/E, currencies with 0 and 2 decimals, exchange rates, PUE/PPD, serie/folio,
 * InformacionGlobal, CfdiRelacionados, discounts, ObjetoImp 01/02/03, IVA 16/8/0/Exento, IEPS
 * Tasa/Cuota, ISR/IVA retenciones, ACuentaTerceros, CuentaPredial, InformacionAduanera, and text
 * with every character class that needs escaping or whitespace normalisation.
 * Shared by the oracle tests and the benchmark.
 */
import fc from "fast-check";
import { REGIMEN_FISCAL, USO_CFDI } from "../catalogs.ts";
import type { ConceptoInput, InvoiceInput, TaxInput } from "../invoice-input.ts";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÁÉÍÓÚÑñüç0123456789";
const TRICKY = [
  " ",
  "  ",
  "\t",
  "\n",
  "\r\n",
  "&",
  "<",
  ">",
  '"',
  "'",
  "&amp;",
  "]]>",
  "\u00a0",
  "😀",
  "€",
  "ñ",
  "/",
  "\\",
  "#",
  "%",
  "*",
  "°",
  "½",
  "\u2028",
];

/** Text that starts with a letter (never blank) and mixes in every troublesome character. */
export const trickyTextArb = (max: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...LETTERS.slice(0, 26)),
      fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...LETTERS) },
          { weight: 1, arbitrary: fc.constantFrom(...TRICKY) },
        ),
        { maxLength: 40 },
      ),
    )
    .map(([a, rest]) => (a + rest.join("")).slice(0, max));

/** Everyday business text: words of letters (with accents), single spaces, some punctuation. */
export const plainTextArb = (max: number): fc.Arbitrary<string> =>
  fc
    .array(fc.stringMatching(/^[A-Za-zÁÉÍÓÚÑáéíóúñ0-9.,-]{1,12}$/), { minLength: 1, maxLength: 8 })
    .map((w) => w.join(" ").slice(0, max).trim() || "X");

type TextArb = (max: number) => fc.Arbitrary<string>;

/** Decimal string with `minInt`..`maxInt` integer part and up to `maxScale` decimals. */
export const decimalArb = (minInt: number, maxInt: number, maxScale: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: minInt, max: maxInt }),
      fc.integer({ min: 0, max: maxScale }),
      fc.integer({ min: 0, max: 999999 }),
    )
    .map(([i, s, f]) => (s === 0 ? String(i) : `${i}.${String(f).padStart(6, "0").slice(0, s)}`));

const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
const cp = digits(5);

const trasladoArb: fc.Arbitrary<TaxInput> = fc.oneof(
  fc.constantFrom<TaxInput>(
    { impuesto: "002", tipoFactor: "Tasa", tasaOCuota: "0.160000" },
    { impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" },
    { impuesto: "002", tipoFactor: "Tasa", tasaOCuota: "0.08" },
    { impuesto: "002", tipoFactor: "Tasa", tasaOCuota: "0" },
    { impuesto: "002", tipoFactor: "Exento" },
    { impuesto: "003", tipoFactor: "Tasa", tasaOCuota: "0.265" },
    { impuesto: "IEPS", tipoFactor: "Tasa", tasaOCuota: "0.08" },
    { impuesto: "003", tipoFactor: "Tasa", tasaOCuota: "1.6" },
  ),
  decimalArb(0, 12, 4).map((c): TaxInput => ({
    impuesto: "003",
    tipoFactor: "Cuota",
    tasaOCuota: c === "0" ? "0.5" : c,
  })),
);

const retencionArb: fc.Arbitrary<TaxInput> = fc.constantFrom<TaxInput>(
  { impuesto: "001", tipoFactor: "Tasa", tasaOCuota: "0.10" },
  { impuesto: "ISR", tipoFactor: "Tasa", tasaOCuota: "0.0125" },
  { impuesto: "002", tipoFactor: "Tasa", tasaOCuota: "0.106667" },
  { impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.04" },
);

function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
const taxKey = (t: TaxInput) => String(t.impuesto).replace("IVA", "002").replace("ISR", "001").replace("IEPS", "003");

const conceptoArb = (decimals: number, textArb: TextArb): fc.Arbitrary<ConceptoInput> =>
  fc
    .record(
      {
        claveProdServ: digits(8),
        noIdentificacion: fc.option(textArb(100), { nil: undefined }),
        cantidad: fc.oneof(decimalArb(1, 500, 6), fc.integer({ min: 1, max: 50 })),
        claveUnidad: fc.constantFrom("H87", "E48", "ACT", "KGM", "LTR", "XBX"),
        unidad: fc.option(textArb(20), { nil: undefined }),
        descripcion: textArb(1000),
        valorUnitario: decimalArb(1, 99999, 6),
        discountPct: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }),
        objetoImp: fc.constantFrom("01", "02", "02", "02", "03"),
        traslados: fc.array(trasladoArb, { minLength: 0, maxLength: 3 }),
        retenciones: fc.array(retencionArb, { minLength: 0, maxLength: 2 }),
        aCuentaTerceros: fc.option(
          fc.record({
            rfc: fc.constantFrom("AAA010101AAA", "CACX7605101P8", "XIQB891116QE4"),
            nombre: textArb(300),
            regimenFiscal: fc.constant("626"),
            domicilioFiscal: cp,
          }),
          { nil: undefined },
        ),
        cuentaPredial: fc.option(fc.array(fc.stringMatching(/^[0-9A-Za-z]{1,20}$/), { minLength: 1, maxLength: 2 }), {
          nil: undefined,
        }),
        informacionAduanera: fc.option(
          fc.array(
            fc.tuple(digits(2), digits(2), digits(4), digits(7)).map((p) => p.join("  ")),
            { minLength: 1, maxLength: 2 },
          ),
          { nil: undefined },
        ),
      },
      {
        requiredKeys: [
          "claveProdServ",
          "cantidad",
          "claveUnidad",
          "descripcion",
          "valorUnitario",
          "objetoImp",
          "traslados",
          "retenciones",
        ],
      },
    )
    .map((k) => {
      const { discountPct, traslados, retenciones, ...rest } = k;
      const out: ConceptoInput = { ...rest } as ConceptoInput;
      for (const key of Object.keys(out) as (keyof ConceptoInput)[]) if (out[key] === undefined) delete out[key];
      if (discountPct !== undefined) {
        // Discount truncated to the currency's decimals, at most 90 % of the importe, so the tax base stays > 0.
        const importe = Number(String(k.cantidad)) * Number(k.valorUnitario);
        const d = Math.floor(((importe * discountPct) / 100) * 10 ** decimals) / 10 ** decimals;
        if (d > 0) out.descuento = d.toFixed(decimals);
      }
      if (k.objetoImp === "02") {
        const t = uniqueBy(traslados, taxKey);
        const r = uniqueBy(retenciones, taxKey);
        out.traslados = t.length || r.length ? t : [{ impuesto: "002", tipoFactor: "Tasa", tasaOCuota: "0.16" }];
        if (r.length) out.retenciones = r;
        if (!out.traslados.length) delete out.traslados;
      }
      return out;
    });

const receptorArb = (textArb: TextArb) =>
  fc.oneof(
    // persona moral / física with a régimen and a UsoCFDI that SAT accepts together
    fc.constantFrom("moral", "fisica").chain((persona) => {
      const regs = Object.entries(REGIMEN_FISCAL).filter(
        ([code, r]) => r[persona as "moral" | "fisica"] && code !== "616" && code !== "610",
      );
      return fc.constantFrom(...regs.map(([c]) => c)).chain((reg) => {
        const usos = Object.entries(USO_CFDI)
          .filter(([, u]) => u[persona as "moral" | "fisica"] && u.regimenes.includes(reg))
          .map(([c]) => c);
        return fc.record({
          rfc: fc.constant(persona === "moral" ? "MCI7306249Y1" : "COSC8001137NA"),
          nombre: textArb(300),
          domicilioFiscal: cp,
          regimenFiscal: fc.constant(reg),
          usoCfdi: fc.constantFrom(...usos),
        });
      });
    }),
  );

const currencyArb = fc.constantFrom(
  { moneda: "MXN", decimals: 2, tipoCambio: undefined as string | undefined },
  { moneda: "MXN", decimals: 2, tipoCambio: "1" },
  { moneda: "USD", decimals: 2, tipoCambio: "17.123456" },
  { moneda: "EUR", decimals: 2, tipoCambio: "18.5" },
  { moneda: "JPY", decimals: 0, tipoCambio: "0.1187" },
);

/** `tricky` text for the oracle tests; `plain` everyday text for the benchmark. */
export const invoiceArbWith = (opts: { text: "tricky" | "plain" }): fc.Arbitrary<InvoiceInput> => {
  const textArb: TextArb = opts.text === "plain" ? plainTextArb : trickyTextArb;
  return currencyArb.chain((cur) =>
    fc
      .record({
        serie: fc.option(textArb(25), { nil: undefined }),
        folio: fc.option(fc.stringMatching(/^[0-9A-Z-]{1,40}$/), { nil: undefined }),
        fecha: fc
          .date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2026-12-31T23:59:59Z"), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 19)),
        tipoDeComprobante: fc.constantFrom("I", "I", "E"),
        pago: fc.constantFrom(["PUE", "01"], ["PUE", "03"], ["PUE", "04"], ["PUE", "28"], ["PPD", "99"]),
        condicionesDePago: fc.option(textArb(1000), { nil: undefined }),
        lugarExpedicion: cp,
        exportacion: fc.option(fc.constantFrom("01", "03", "04"), { nil: undefined }),
        regimenEmisor: fc.constantFrom("601", "603", "620", "622", "623", "624", "626"),
        nombreEmisor: textArb(300),
        global: fc.option(
          fc.record({
            periodicidad: fc.constantFrom("01", "02", "03", "04"),
            mes: fc.integer({ min: 1, max: 12 }),
            bimestre: fc.integer({ min: 13, max: 18 }),
            bimestral: fc.boolean(),
          }),
          { nil: undefined },
        ),
        relacionados: fc.option(
          fc.array(
            fc.record({
              tipoRelacion: fc.constantFrom("01", "03", "04", "07"),
              uuids: fc.array(fc.uuid(), { minLength: 1, maxLength: 3 }),
            }),
            { minLength: 1, maxLength: 2 },
          ),
          { nil: undefined },
        ),
        receptor: receptorArb(textArb),
        conceptos: fc.array(conceptoArb(cur.decimals, textArb), { minLength: 1, maxLength: 5 }),
      })
      .map((g): InvoiceInput => {
        const inv: InvoiceInput = {
          fecha: g.fecha,
          tipoDeComprobante: g.tipoDeComprobante,
          moneda: cur.moneda,
          metodoPago: g.pago[0] as string,
          formaPago: g.pago[1] as string,
          lugarExpedicion: g.lugarExpedicion,
          emisor: { rfc: "EKU9003173C9", nombre: g.nombreEmisor, regimenFiscal: g.regimenEmisor },
          receptor: g.receptor,
          conceptos: g.conceptos,
        };
        if (cur.tipoCambio) inv.tipoCambio = cur.tipoCambio;
        if (g.serie !== undefined) inv.serie = g.serie;
        if (g.folio !== undefined) inv.folio = g.folio;
        if (g.condicionesDePago !== undefined) inv.condicionesDePago = g.condicionesDePago;
        if (g.exportacion !== undefined) inv.exportacion = g.exportacion;
        if (g.relacionados) inv.cfdiRelacionados = g.relacionados;
        if (g.global) {
          // Factura global: público en general, with the matching generic receptor data.
          const bimestral = g.global.bimestral;
          inv.receptor = {
            rfc: "XAXX010101000",
            nombre: "PUBLICO EN GENERAL",
            domicilioFiscal: g.lugarExpedicion,
            regimenFiscal: "616",
            usoCfdi: "S01",
          };
          inv.informacionGlobal = {
            periodicidad: bimestral ? "05" : g.global.periodicidad,
            meses: String(bimestral ? g.global.bimestre : g.global.mes).padStart(2, "0"),
            año: g.fecha.slice(0, 4),
          };
        }
        return inv;
      }),
  );
};

export const invoiceArb: fc.Arbitrary<InvoiceInput> = invoiceArbWith({ text: "tricky" });

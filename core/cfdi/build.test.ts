import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { add, formatDecimal, mul, parseDecimal, roundHalfUp, sum } from "../money/decimal.ts";
import { computeLine, computeTotals } from "./amounts.ts";
import { buildComprobante, fechaNow } from "./build.ts";
import { CfdiError } from "./errors.ts";
import type { InvoiceInput } from "./invoice-input.ts";
import { checkRfc } from "./rfc.ts";
import { repoRoot } from "./test/oracle.ts";

const example = (): InvoiceInput => JSON.parse(readFileSync(join(repoRoot, "examples/cfdi/factura.json"), "utf8"));

function base(): InvoiceInput {
  return {
    fecha: "2025-03-14T10:30:00",
    tipoDeComprobante: "I",
    formaPago: "03",
    metodoPago: "PUE",
    lugarExpedicion: "86000",
    emisor: { rfc: "EKU9003173C9", nombre: "ESCUELA KEMPER URGATE", regimenFiscal: "601" },
    receptor: {
      rfc: "MCI7306249Y1",
      nombre: "MUNICIPIO",
      domicilioFiscal: "54700",
      regimenFiscal: "603",
      usoCfdi: "G03",
    },
    conceptos: [
      {
        claveProdServ: "81112101",
        cantidad: "1",
        claveUnidad: "E48",
        descripcion: "Servicio",
        valorUnitario: "1000",
        objetoImp: "02",
        traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" }],
      },
    ],
  };
}

function issuesOf(input: InvoiceInput): { path: string; code: string; message: string }[] {
  try {
    buildComprobante(input);
  } catch (e) {
    if (e instanceof CfdiError) return [...e.issues];
    throw e;
  }
  return [];
}

const codes = (input: InvoiceInput) => issuesOf(input).map((i) => `${i.path}:${i.code}`);

describe("amounts", () => {
  it("computes the README example exactly", () => {
    const { comprobante: c } = buildComprobante(example());
    expect(c.SubTotal).toBe("23499.99");
    expect(c.Descuento).toBe("1200.00");
    expect(c.Total).toBe("23395.99");
    expect(c.Impuestos).toEqual({
      TotalImpuestosRetenidos: "2232.00",
      TotalImpuestosTrasladados: "3328.00",
      Retenciones: [
        { Impuesto: "001", Importe: "1080.00" },
        { Impuesto: "002", Importe: "1152.00" },
      ],
      Traslados: [
        { Base: "20799.99", Impuesto: "002", TipoFactor: "Tasa", TasaOCuota: "0.160000", Importe: "3328.00" },
        { Base: "1500.00", Impuesto: "002", TipoFactor: "Exento" },
      ],
    });
    const [k0, k1] = c.Conceptos;
    expect(k0?.Traslados).toEqual([
      { Base: "10800.00", Impuesto: "002", TipoFactor: "Tasa", TasaOCuota: "0.160000", Importe: "1728.00" },
    ]);
    // 2 × 4999.995 = 9999.99 exactly; 9999.99 × 0.16 = 1599.9984 → 1600.00 (half up at cents)
    expect(k1?.Importe).toBe("9999.99");
    expect(k1?.ValorUnitario).toBe("4999.995");
    expect(k1?.Traslados?.[0]?.Importe).toBe("1600.00");
  });

  it("rounds tax per concept (SAT), which can differ from rounding once on the subtotal (proposal)", () => {
    // Three lines of 0.10 at 16 %: SAT per line = 0.016 → 0.02 each → 0.06;
    // one rounding on the subtotal = 0.30 × 0.16 = 0.048 → 0.05.
    const line = {
      cantidad: parseDecimal("1"),
      valorUnitario: parseDecimal("0.10"),
      traslados: [{ impuesto: "002", tipoFactor: "Tasa" as const, tasaOCuota: parseDecimal("0.16") }],
      retenciones: [],
    };
    const lines = [line, line, line].map((l) => computeLine(l, 2));
    const totals = computeTotals(lines, 2);
    expect(formatDecimal(totals.totalTrasladados!)).toBe("0.06");
    const onSubtotal = roundHalfUp(mul(sum(lines.map((l) => l.importe)), parseDecimal("0.16")), 2);
    expect(formatDecimal(onSubtotal)).toBe("0.05");
    expect(formatDecimal(totals.total)).toBe("0.36");

    // The invoice refuses to silently disagree with the proposal's total.
    const input = base();
    input.conceptos = [0, 1, 2].map(() => ({
      claveProdServ: "81112101",
      cantidad: "1",
      claveUnidad: "E48",
      descripcion: "x",
      valorUnitario: "0.10",
      objetoImp: "02",
      traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" }],
    }));
    input.totalEsperado = "0.35";
    const issues = issuesOf(input);
    expect(issues.map((i) => i.code)).toEqual(["TOTAL_MISMATCH"]);
    expect(issues[0]?.message).toContain("0.36");
    input.totalEsperado = "0.36";
    expect(issuesOf(input)).toEqual([]);
  });

  it("uses the currency's decimals (JPY has none) and half-up rounding", () => {
    const input = base();
    input.moneda = "JPY";
    input.tipoCambio = "0.1187";
    input.conceptos = [
      {
        claveProdServ: "81112101",
        cantidad: "3",
        claveUnidad: "H87",
        descripcion: "x",
        valorUnitario: "333.5",
        objetoImp: "02",
        traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" }],
      },
    ];
    const { comprobante: c } = buildComprobante(input);
    expect(c.Conceptos[0]?.Importe).toBe("1001"); // 1000.5 → 1001
    expect(c.Conceptos[0]?.Traslados?.[0]?.Importe).toBe("160"); // 160.16 → 160
    expect(c.Total).toBe("1161");
    expect(c.TipoCambio).toBe("0.1187");
  });

  it("IEPS cuota uses the quantity as base; exento carries only the base", () => {
    const input = base();
    input.conceptos = [
      {
        claveProdServ: "15101514",
        cantidad: "40.5",
        claveUnidad: "LTR",
        descripcion: "Gasolina",
        valorUnitario: "20",
        objetoImp: "02",
        traslados: [
          { impuesto: "IEPS", tipoFactor: "Cuota", tasaOCuota: "6.1752" },
          { impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" },
        ],
      },
      {
        claveProdServ: "50131700",
        cantidad: "2",
        claveUnidad: "H87",
        descripcion: "Leche",
        valorUnitario: "25.50",
        objetoImp: "02",
        traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0" }],
      },
    ];
    const { comprobante: c } = buildComprobante(input);
    expect(c.Conceptos[0]?.Traslados?.[0]).toEqual({
      Base: "40.5",
      Impuesto: "003",
      TipoFactor: "Cuota",
      TasaOCuota: "6.175200",
      Importe: "250.10",
    });
    expect(c.Conceptos[1]?.Traslados?.[0]).toEqual({
      Base: "51.00",
      Impuesto: "002",
      TipoFactor: "Tasa",
      TasaOCuota: "0.000000",
      Importe: "0.00",
    });
    expect(c.Impuestos?.TotalImpuestosTrasladados).toBe("379.70"); // 250.10 + 129.60 + 0.00
    expect(c.Total).toBe(
      formatDecimal(add(add(parseDecimal("810.00"), parseDecimal("51.00")), parseDecimal("379.70"))),
    );
  });

  it("omits TotalImpuestosTrasladados when every traslado is exento, and Impuestos for ObjetoImp 01", () => {
    const input = base();
    input.conceptos[0]!.traslados = [{ impuesto: "IVA", tipoFactor: "Exento" }];
    const { comprobante: c } = buildComprobante(input);
    expect(c.Impuestos).toEqual({ Traslados: [{ Base: "1000.00", Impuesto: "002", TipoFactor: "Exento" }] });
    expect(c.Total).toBe("1000.00");
    const none = base();
    none.conceptos = [{ ...none.conceptos[0]!, objetoImp: "01" }];
    delete none.conceptos[0]!.traslados;
    expect(buildComprobante(none).comprobante.Impuestos).toBeUndefined();
  });

  it("defaults Fecha to the local time in Mexico City", () => {
    expect(fechaNow("America/Mexico_City", new Date("2025-06-01T18:00:05Z"))).toBe("2025-06-01T12:00:05");
    const input = base();
    delete input.fecha;
    expect(buildComprobante(input, { now: new Date("2025-06-01T18:00:05Z") }).comprobante.Fecha).toBe(
      "2025-06-01T12:00:05",
    );
  });
});

describe("validation (field path + code + Spanish message)", () => {
  it("accepts the base invoice", () => expect(issuesOf(base())).toEqual([]));

  it("checks RFC syntax and its embedded date", () => {
    expect(checkRfc("EKU9003173C9")).toEqual({ ok: true, persona: "moral" });
    expect(checkRfc("COSC8001137NA")).toEqual({ ok: true, persona: "fisica" });
    expect(checkRfc("COSC8013137NA").ok).toBe(false); // month 13
    expect(checkRfc("AAA000229AAA").ok).toBe(true); // 2000 was leap
    expect(checkRfc("AAA010229AAA")).toMatchObject({ ok: false, code: "RFC_DATE" });
    expect(checkRfc("aaa010101aaa")).toMatchObject({ ok: false, code: "RFC_FORMAT" });
    const i = base();
    i.receptor.rfc = "MCI7313249Y1";
    expect(codes(i)).toEqual(["receptor.rfc:RFC_FORMAT"]);
  });

  it("persona física/moral vs régimen, UsoCFDI vs régimen", () => {
    const i = base();
    i.receptor.regimenFiscal = "612"; // física regime for a moral RFC
    expect(codes(i)).toEqual(["receptor.regimenFiscal:REGIMEN_PERSONA"]);
    const j = base();
    j.receptor = {
      rfc: "COSC8001137NA",
      nombre: "Carlos",
      domicilioFiscal: "52000",
      regimenFiscal: "605",
      usoCfdi: "G03",
    };
    expect(codes(j)).toEqual(["receptor.usoCfdi:USO_REGIMEN"]);
    const k = base();
    k.receptor.usoCfdi = "D01"; // deducción personal for a moral
    expect(codes(k)).toEqual(["receptor.usoCfdi:USO_PERSONA"]);
    const l = base();
    l.emisor.regimenFiscal = "612";
    const issue = issuesOf(l)[0];
    expect(issue?.code).toBe("REGIMEN_PERSONA");
    expect(issue?.message).toMatch(/persona moral/);
  });

  it("catalogs and payment rules", () => {
    const i = base();
    i.formaPago = "07";
    i.metodoPago = "XXX";
    i.conceptos[0]!.objetoImp = "09";
    i.exportacion = "05";
    expect(codes(i).sort()).toEqual([
      "conceptos[0].objetoImp:CATALOG",
      "exportacion:CATALOG",
      "formaPago:CATALOG",
      "metodoPago:CATALOG",
    ]);
    const ppd = base();
    ppd.metodoPago = "PPD";
    expect(codes(ppd)).toEqual(["formaPago:FORMA_PAGO_PPD"]);
    ppd.formaPago = "99";
    expect(codes(ppd)).toEqual([]);
    const pue = base();
    pue.formaPago = "99";
    expect(codes(pue)).toEqual(["formaPago:FORMA_PAGO_PUE"]);
  });

  it("TipoCambio is required when Moneda is not MXN", () => {
    const i = base();
    i.moneda = "USD";
    expect(codes(i)).toEqual(["tipoCambio:REQUIRED"]);
    i.tipoCambio = 17.25; // a float is refused: money must not pass through binary floats
    expect(codes(i)).toEqual(["tipoCambio:AMOUNT_NOT_STRING"]);
    i.tipoCambio = "17.25";
    expect(codes(i)).toEqual([]);
    const m = base();
    m.tipoCambio = "17";
    expect(codes(m)).toEqual(["tipoCambio:TIPO_CAMBIO_MXN"]);
    m.moneda = "ZZZ";
    expect(codes(m)).toContain("moneda:CATALOG");
  });

  it("taxes: rates from c_TasaOCuota, factor rules, ObjetoImp consistency", () => {
    const i = base();
    i.conceptos[0]!.traslados = [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.15" }];
    expect(codes(i)).toEqual(["conceptos[0].traslados[0].tasaOCuota:TASA_O_CUOTA"]);
    i.conceptos[0]!.traslados = [{ impuesto: "ISR", tipoFactor: "Tasa", tasaOCuota: "0.10" }];
    expect(codes(i)).toEqual(["conceptos[0].traslados[0].impuesto:IMPUESTO_NO_TRASLADABLE"]);
    i.conceptos[0]!.traslados = [{ impuesto: "IVA", tipoFactor: "Cuota", tasaOCuota: "1" }];
    expect(codes(i)).toEqual(["conceptos[0].traslados[0].tasaOCuota:TASA_O_CUOTA"]);
    i.conceptos[0]!.traslados = [{ impuesto: "IVA", tipoFactor: "Exento", tasaOCuota: "0.16" }];
    expect(codes(i)).toEqual(["conceptos[0].traslados[0].tasaOCuota:EXENTO_CON_TASA"]);
    i.conceptos[0]!.traslados = [
      { impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" },
      { impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.08" },
    ];
    expect(codes(i)).toEqual(["conceptos[0].traslados[1]:IMPUESTO_DUPLICADO"]);
    i.conceptos[0]!.traslados = [];
    expect(codes(i)).toEqual(["conceptos[0].objetoImp:OBJETO_IMP_SIN_IMPUESTOS"]);
    i.conceptos[0]!.objetoImp = "01";
    i.conceptos[0]!.retenciones = [{ impuesto: "ISR", tipoFactor: "Tasa", tasaOCuota: "0.10" }];
    expect(codes(i)).toEqual(["conceptos[0].objetoImp:OBJETO_IMP_CON_IMPUESTOS"]);
    i.conceptos[0]!.objetoImp = "02";
    i.conceptos[0]!.retenciones = [{ impuesto: "ISR", tipoFactor: "Tasa", tasaOCuota: "0.40" }];
    expect(codes(i)).toEqual(["conceptos[0].retenciones[0].tasaOCuota:TASA_O_CUOTA"]);
  });

  it("amounts: no negatives, decimals limits, discount not above importe", () => {
    const i = base();
    i.conceptos[0]!.cantidad = "-1";
    i.conceptos[0]!.valorUnitario = "1.1234567";
    expect(codes(i)).toEqual(["conceptos[0].cantidad:NEGATIVE", "conceptos[0].valorUnitario:TOO_MANY_DECIMALS"]);
    const j = base();
    j.conceptos[0]!.descuento = "1000.01";
    expect(codes(j)).toEqual(["conceptos[0].descuento:DESCUENTO_EXCEDE_IMPORTE"]);
    j.conceptos[0]!.descuento = "1000";
    expect(codes(j)).toEqual(["conceptos[0].traslados[0].base:BASE_NO_POSITIVA"]);
    const k = base();
    k.conceptos[0]!.cantidad = "1,5";
    expect(issuesOf(k)[0]?.message).toMatch(/punto decimal/);
  });

  it("text fields: pipe, control characters, lengths, required", () => {
    const i = base();
    i.receptor.nombre = "A | B";
    i.conceptos[0]!.descripcion = "bad \u0001 char";
    i.serie = "x".repeat(26);
    i.emisor.nombre = "   ";
    expect(codes(i).sort()).toEqual([
      "conceptos[0].descripcion:ILLEGAL_CHAR",
      "emisor.nombre:REQUIRED",
      "receptor.nombre:PIPE_CHAR",
      "serie:TOO_LONG",
    ]);
  });

  it("códigos postales, fecha, UUIDs, pedimentos, cuenta predial", () => {
    const i = base();
    i.lugarExpedicion = "8600";
    i.fecha = "2025-02-30T10:00:00";
    i.cfdiRelacionados = [{ tipoRelacion: "04", uuids: ["nope"] }];
    i.conceptos[0]!.informacionAduanera = ["21 47 3807 8003832"];
    i.conceptos[0]!.cuentaPredial = ["12-34"];
    expect(codes(i).sort()).toEqual([
      "cfdiRelacionados[0].uuids[0]:UUID_FORMAT",
      "conceptos[0].cuentaPredial[0]:CUENTA_PREDIAL_FORMAT",
      "conceptos[0].informacionAduanera[0]:PEDIMENTO_FORMAT",
      "fecha:FECHA_FORMAT",
      "lugarExpedicion:CP_FORMAT",
    ]);
  });

  it("público en general: generic RFC rules and InformacionGlobal", () => {
    const i = base();
    i.receptor = {
      rfc: "XAXX010101000",
      nombre: "PUBLICO EN GENERAL",
      domicilioFiscal: "54700",
      regimenFiscal: "601",
      usoCfdi: "G03",
    };
    expect(codes(i).sort()).toEqual([
      "informacionGlobal:INFO_GLOBAL_REQUIRED",
      "receptor.domicilioFiscal:DOMICILIO_RFC_GENERICO",
      "receptor.regimenFiscal:REGIMEN_RFC_GENERICO",
      "receptor.usoCfdi:USO_RFC_GENERICO",
    ]);
    i.receptor = {
      rfc: "XAXX010101000",
      nombre: "PUBLICO EN GENERAL",
      domicilioFiscal: "86000",
      regimenFiscal: "616",
      usoCfdi: "S01",
    };
    i.informacionGlobal = { periodicidad: "05", meses: "03", año: "2025" };
    expect(codes(i)).toEqual(["informacionGlobal.meses:MESES_PERIODICIDAD"]);
    i.informacionGlobal = { periodicidad: "04", meses: "03", año: "2023" };
    expect(codes(i)).toEqual(["informacionGlobal.año:AÑO_INVALIDO"]);
    i.informacionGlobal.año = 2025;
    expect(codes(i)).toEqual([]);
    const j = base();
    j.informacionGlobal = { periodicidad: "04", meses: "03", año: "2025" };
    expect(codes(j)).toEqual(["informacionGlobal:INFO_GLOBAL_NO_APLICA"]);
  });

  it("Exportacion 02 needs the Comercio Exterior complement", () => {
    const i = base();
    i.exportacion = "02";
    expect(codes(i)).toEqual(["exportacion:EXPORTACION_REQUIERE_CCE"]);
  });

  it("only I and E are issued", () => {
    const i = base();
    i.tipoDeComprobante = "P";
    expect(codes(i)).toEqual(["tipoDeComprobante:TIPO_NO_SOPORTADO"]);
  });

  it("reports every problem at once", () => {
    const issues = issuesOf({} as InvoiceInput);
    expect(issues.length).toBeGreaterThan(5);
    for (const i of issues) expect(i.message).toMatch(/[a-záéíóúñ]/);
  });
});

describe("decimal sanity for amounts", () => {
  it("formats amounts at currency decimals without floats", () => {
    expect(formatDecimal(roundHalfUp(mul(parseDecimal("1.005"), parseDecimal("1")), 2))).toBe("1.01");
  });
});

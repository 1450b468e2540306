import { describe, expect, it } from "vitest";
import { REGIMEN_FISCAL, USO_CFDI } from "../cfdi/catalogs.ts";
import type { InvoiceInput } from "../cfdi/invoice-input.ts";
import { validateInvoiceInput } from "../cfdi/validation.ts";
import { checkFiscalData, isGenericRfc, normalizeRfc } from "./fiscal.ts";
import type { FiscalInput } from "./fiscal.ts";

const MORAL = "EKU9003173C9"; // SAT's test persona moral
const FISICA = "GODE561231GR8"; // persona física, born 1956-12-31

const codes = (input: FiscalInput) => checkFiscalData(input).map((i) => `${i.field}:${i.code}`);

describe("checkFiscalData — valid data", () => {
  it.each<FiscalInput>([
    {},
    { rfc: null, regimenFiscal: null, codigoPostal: null, usoCfdi: null },
    { rfc: MORAL, regimenFiscal: "601", codigoPostal: "86000", usoCfdi: "G03" },
    { rfc: FISICA, regimenFiscal: "612", codigoPostal: "06600", usoCfdi: "D01" },
    { rfc: FISICA, regimenFiscal: "605", usoCfdi: "D10" },
    { rfc: MORAL, regimenFiscal: "626", usoCfdi: "I04" }, // RESICO: both personas
    { rfc: FISICA, regimenFiscal: "626", usoCfdi: "G01" },
    { rfc: "XAXX010101000", regimenFiscal: "616", usoCfdi: "S01", codigoPostal: "01000" },
    { rfc: "XEXX010101000", regimenFiscal: "616", usoCfdi: "S01" },
    { rfc: "ÑAÑ000229AB1" }, // Ñ allowed; 29 Feb 2000 exists
    { rfc: "&AB010101AB1" },
  ])("%j has no issues", (input) => {
    expect(checkFiscalData(input)).toEqual([]);
  });

  it("checks the normalised RFC", () => {
    expect(checkFiscalData({ rfc: "  eku9003173c9 ", regimenFiscal: "601" })).toEqual([]);
    expect(normalizeRfc("  gode561231gr8\n")).toBe(FISICA);
    expect(normalizeRfc("ñañ000229ab1")).toBe("ÑAÑ000229AB1");
    expect(isGenericRfc(" xaxx010101000")).toBe(true);
    expect(isGenericRfc(MORAL)).toBe(false);
  });
});

describe("checkFiscalData — each field", () => {
  it("rejects malformed RFCs and impossible embedded dates", () => {
    expect(codes({ rfc: "EKU900317" })).toEqual(["rfc:RFC_FORMAT"]);
    expect(codes({ rfc: "" })).toEqual(["rfc:RFC_FORMAT"]);
    expect(codes({ rfc: "EKU9003173C" })).toEqual(["rfc:RFC_FORMAT"]);
    expect(codes({ rfc: "EKU-900317-3C9" })).toEqual(["rfc:RFC_FORMAT"]);
    expect(codes({ rfc: "EKU9013173C9" })).toEqual(["rfc:RFC_FORMAT"]); // month 13
    expect(codes({ rfc: "EKU9002303C9" })).toEqual(["rfc:RFC_DATE"]); // 30 Feb
    expect(codes({ rfc: "GODE010229GR8" })).toEqual(["rfc:RFC_DATE"]); // 2001 and 1901 not leap
    const [issue] = checkFiscalData({ rfc: "EKU9002303C9" });
    expect(issue?.message).toMatch(/fecha inexistente/);
  });

  it("rejects unknown catalog keys, including prototype names", () => {
    expect(codes({ regimenFiscal: "600" })).toEqual(["regimenFiscal:CATALOG"]);
    expect(codes({ regimenFiscal: "toString" })).toEqual(["regimenFiscal:CATALOG"]);
    expect(codes({ usoCfdi: "g03" })).toEqual(["usoCfdi:CATALOG"]);
    expect(codes({ usoCfdi: "P01" })).toEqual(["usoCfdi:CATALOG"]); // CFDI 3.3 "Por definir", gone in 4.0
    expect(codes({ usoCfdi: "__proto__" })).toEqual(["usoCfdi:CATALOG"]);
    expect(checkFiscalData({ usoCfdi: "X99" })[0]?.message).toMatch(/c_UsoCFDI/);
  });

  it.each(["1234", "123456", " 86000", "86 000", "8600a", "８６０００", ""])("rejects código postal %j", (cp) => {
    expect(codes({ codigoPostal: cp })).toEqual(["codigoPostal:CP_FORMAT"]);
  });
});

describe("checkFiscalData — combinations", () => {
  it("régimen must fit the persona of the RFC", () => {
    expect(codes({ rfc: MORAL, regimenFiscal: "605" })).toEqual(["regimenFiscal:REGIMEN_PERSONA"]);
    expect(codes({ rfc: FISICA, regimenFiscal: "601" })).toEqual(["regimenFiscal:REGIMEN_PERSONA"]);
    expect(checkFiscalData({ rfc: FISICA, regimenFiscal: "601" })[0]?.message).toMatch(
      /física \(RFC de 13 caracteres\)/,
    );
  });

  it("uso must fit the persona, then the régimen", () => {
    expect(codes({ rfc: MORAL, usoCfdi: "D01" })).toEqual(["usoCfdi:USO_PERSONA"]);
    expect(codes({ rfc: MORAL, regimenFiscal: "601", usoCfdi: "CN01" })).toEqual(["usoCfdi:USO_PERSONA"]);
    expect(codes({ rfc: FISICA, regimenFiscal: "605", usoCfdi: "G03" })).toEqual(["usoCfdi:USO_REGIMEN"]);
    expect(codes({ regimenFiscal: "605", usoCfdi: "G03" })).toEqual(["usoCfdi:USO_REGIMEN"]); // no RFC yet
    expect(codes({ regimenFiscal: "616", usoCfdi: "G03" })).toEqual(["usoCfdi:USO_REGIMEN"]);
  });

  it("generic RFCs need régimen 616 and uso S01", () => {
    expect(codes({ rfc: "XAXX010101000", regimenFiscal: "601", usoCfdi: "G03" })).toEqual([
      "regimenFiscal:REGIMEN_RFC_GENERICO",
      "usoCfdi:USO_RFC_GENERICO",
    ]);
    expect(codes({ rfc: "xexx010101000", regimenFiscal: "612" })).toEqual(["regimenFiscal:REGIMEN_RFC_GENERICO"]);
    expect(codes({ rfc: "XAXX010101000", usoCfdi: "D01" })).toEqual(["usoCfdi:USO_RFC_GENERICO"]);
  });

  it("an invalid RFC does not hide the other fields' problems", () => {
    expect(codes({ rfc: "BAD", regimenFiscal: "999", codigoPostal: "1", usoCfdi: "ZZZ" })).toEqual([
      "rfc:RFC_FORMAT",
      "regimenFiscal:CATALOG",
      "codigoPostal:CP_FORMAT",
      "usoCfdi:CATALOG",
    ]);
    // and without a valid RFC the persona rules are skipped, the régimen rule is not
    expect(codes({ rfc: "BAD", regimenFiscal: "605", usoCfdi: "G03" })).toEqual([
      "rfc:RFC_FORMAT",
      "usoCfdi:USO_REGIMEN",
    ]);
  });

  it("messages are Spanish", () => {
    for (const i of checkFiscalData({ rfc: MORAL, regimenFiscal: "605", codigoPostal: "1", usoCfdi: "D01" }))
      expect(i.message).toMatch(/^(El|La|Con) /);
  });
});

describe("checkFiscalData agrees with the CFDI 4.0 receptor validation", () => {
  // A customer whose data passes here must not fail as a CFDI receptor, and vice versa.
  const FIELD: Record<string, string> = {
    "receptor.rfc": "rfc",
    "receptor.regimenFiscal": "regimenFiscal",
    "receptor.domicilioFiscal": "codigoPostal",
    "receptor.usoCfdi": "usoCfdi",
  };
  function receptorCodes(f: { rfc: string; regimenFiscal: string; codigoPostal: string; usoCfdi: string }): string[] {
    const extranjero = f.rfc === "XEXX010101000";
    const input: InvoiceInput = {
      fecha: "2025-03-14T10:30:00",
      tipoDeComprobante: "I",
      formaPago: "03",
      metodoPago: "PUE",
      lugarExpedicion: f.codigoPostal, // a generic RFC's domicilio is the LugarExpedicion
      emisor: { rfc: MORAL, nombre: "ESCUELA KEMPER URGATE", regimenFiscal: "601" },
      receptor: {
        rfc: f.rfc,
        nombre: "CLIENTE DE PRUEBA",
        domicilioFiscal: f.codigoPostal,
        regimenFiscal: f.regimenFiscal,
        usoCfdi: f.usoCfdi,
        ...(extranjero ? { residenciaFiscal: "USA", numRegIdTrib: "123456789" } : {}),
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
    return validateInvoiceInput(input)
      .issues.filter((i) => i.path in FIELD)
      .map((i) => `${FIELD[i.path]}:${i.code}`)
      .sort();
  }

  it("for every combination of RFC kind, régimen and uso (exhaustive)", () => {
    let n = 0;
    for (const r of [MORAL, FISICA, "XAXX010101000", "XEXX010101000", "EKU9002303C9"]) {
      for (const g of [...Object.keys(REGIMEN_FISCAL), "999"]) {
        for (const u of [...Object.keys(USO_CFDI), "ZZZ"]) {
          for (const c of ["86000", "0600"]) {
            const f = { rfc: r, regimenFiscal: g, codigoPostal: c, usoCfdi: u };
            const ours = codes(f).sort();
            const theirs = receptorCodes(f);
            // With an unusable RFC the CFDI validator stops at the RFC; we still report a uso that
            // does not fit the régimen, so a form shows every problem at once.
            if (r === "EKU9002303C9")
              expect(
                ours.filter((x) => x !== "usoCfdi:USO_REGIMEN"),
                JSON.stringify(f),
              ).toEqual(theirs);
            else expect(ours, JSON.stringify(f)).toEqual(theirs);
            n++;
          }
        }
      }
    }
    expect(n).toBe(5 * 20 * 25 * 2);
  });
});

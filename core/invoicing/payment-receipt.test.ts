import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cadenaFromXml } from "../cfdi/cadena.ts";
import { loadCsd } from "../cfdi/csd.ts";
import type { InvoiceInput } from "../cfdi/invoice-input.ts";
import { buildSignedPago, validatePagoInput } from "../cfdi/pagos.ts";
import {
  csdFiles,
  hasTool,
  preparePagosSchema,
  tempDir,
  xmllintValidate,
  xsltprocCadena,
} from "../cfdi/test/oracle.ts";
import { mexicoCityDateTime, paymentReceiptInput } from "./payment-receipt.ts";

// An MSI payment on a PPD invoice as its recibo de pago: the invoice's own taxes prorated (IVA 16 %
// and Exento lines side by side), parcialidades and saldos in order, and SAT's XSLT agreeing.

const ISSUER = {
  rfc: "EKU9003173C9",
  razonSocial: "ESCUELA KEMPER URGATE",
  regimenFiscal: "601",
  lugarExpedicion: "86000",
  serie: "A",
};

const INVOICE: InvoiceInput = {
  tipoDeComprobante: "I",
  serie: "A",
  folio: "7",
  fecha: "2027-01-15T10:00:00",
  lugarExpedicion: "86000",
  formaPago: "99",
  metodoPago: "PPD",
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
      claveProdServ: "43231500",
      cantidad: "3",
      claveUnidad: "E48",
      descripcion: "Licencia anual CRM",
      valorUnitario: "1499.99",
      descuento: "450.00",
      objetoImp: "02",
      traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" }],
    },
    {
      claveProdServ: "85121800",
      cantidad: "1",
      claveUnidad: "E48",
      descripcion: "Consulta médica",
      valorUnitario: "850.00",
      objetoImp: "02",
      traslados: [{ impuesto: "IVA", tipoFactor: "Exento" }],
    },
  ],
};

const PAID = { uuid: "6F1D4C2E-1B2A-4C3D-9E8F-0A1B2C3D4E5F", serie: "A", folio: "7", input: INVOICE };

function payment(amount: string, paidAt = "2027-01-30T18:00:00Z") {
  return { amount, formaPago: "03", paidAt, currency: "MXN", exchangeRate: null, reference: "SPEI 0001" };
}

describe("paymentReceiptInput", () => {
  it("maps the payment, the parcialidad and the saldo; the invoice's 16 % and Exento taxes both prorated", () => {
    const input = paymentReceiptInput(ISSUER, PAID, payment("1000.00"), ["2000.00", "500.50"]);
    const docto = input.pagos[0]!.doctosRelacionados[0]!;
    expect(docto).toMatchObject({
      idDocumento: PAID.uuid,
      numParcialidad: 3,
      impSaldoAnt: "3047.47", // 4,049.97 + IVA 648.00 + 850.00 exento = 5,547.97; − 2,000.00 − 500.50
      impPagado: "1000.00",
      objetoImpDR: "02",
      totalDocumento: "5547.97",
    });
    expect(docto.traslados?.map((t) => [t.tipoFactor, t.tasaOCuota ?? null, t.base])).toEqual([
      ["Tasa", "0.160000", "4049.97"],
      ["Exento", null, "850.00"],
    ]);
    expect(input.pagos[0]).toMatchObject({ fechaPago: "2027-01-30T12:00:00", formaDePagoP: "03", monto: "1000.00" });
    expect(input.receptor.usoCfdi).toBe("CP01");
    expect(validatePagoInput(input).issues).toEqual([]);
  });

  it("Mexico City's wall clock for FechaPago (UTC−6 all year since 2022)", () => {
    expect(mexicoCityDateTime("2027-07-01T05:59:59Z")).toBe("2027-06-30T23:59:59");
    expect(mexicoCityDateTime("2027-12-31T18:00:00.000Z")).toBe("2027-12-31T12:00:00");
  });

  it("three payments that settle the invoice seal, agree with SAT's XSLT and validate against Pagos20.xsd", async () => {
    const csd = await loadCsd(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
    const amounts = ["2000.00", "2000.00", "1547.97"];
    const xmls: string[] = [];
    for (const [i, amount] of amounts.entries()) {
      const input = {
        ...paymentReceiptInput(ISSUER, PAID, payment(amount), amounts.slice(0, i)),
        fecha: "2027-02-01T09:00:00",
      };
      const sealed = await buildSignedPago(input, csd);
      xmls.push(sealed.xml);
    }
    expect(xmls[2]).toContain('ImpSaldoInsoluto="0.00"');
    if (!hasTool("xsltproc") || !hasTool("xmllint")) return;
    const dir = tempDir("rep-msi-");
    const files = xmls.map((xml, i) => {
      const f = join(dir, `rep-${i}.xml`);
      writeFileSync(f, xml);
      return f;
    });
    for (const [i, f] of files.entries()) expect(cadenaFromXml(xmls[i]!)).toBe(xsltprocCadena(f));
    const schema = preparePagosSchema(dir);
    const validation = xmllintValidate(schema, files);
    expect(validation.output).toBe(validation.ok ? validation.output : "");
    expect(validation.ok).toBe(true);
  });
});

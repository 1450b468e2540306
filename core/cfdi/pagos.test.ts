import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCsd } from "./csd.ts";
import { CfdiError } from "./errors.ts";
import { buildPagoComprobante, buildSignedPago, validatePagoInput } from "./pagos.ts";
import type { DoctoRelacionadoInput, PagoComprobanteInput, PagoInput } from "./pagos-input.ts";
import { verifyCfdi } from "./verify.ts";
import { csdFiles } from "./test/oracle.ts";

const UUID_A = "6f1d4c2e-1b2a-4c3d-9e8f-0a1b2c3d4e5f";
const UUID_B = "0AB1C2D3-E4F5-4A6B-8C9D-0E1F2A3B4C5D";

function docto(over: Partial<DoctoRelacionadoInput> = {}): DoctoRelacionadoInput {
  return {
    idDocumento: UUID_A,
    numParcialidad: 1,
    impSaldoAnt: "1160.00",
    impPagado: "580.00",
    objetoImpDR: "02",
    totalDocumento: "1160.00",
    traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16", base: "1000.00" }],
    ...over,
  };
}

function pago(over: Partial<PagoInput> = {}): PagoInput {
  return { fechaPago: "2025-02-28T12:00:00", formaDePagoP: "03", doctosRelacionados: [docto()], ...over };
}

function rep(over: Partial<PagoComprobanteInput> = {}): PagoComprobanteInput {
  return {
    fecha: "2025-03-01T10:00:00",
    lugarExpedicion: "42501",
    emisor: { rfc: "EKU9003173C9", nombre: "ESCUELA KEMPER URGATE", regimenFiscal: "601" },
    receptor: {
      rfc: "URE180429TM6",
      nombre: "UNIVERSIDAD ROBOTICA ESPAÑOLA",
      domicilioFiscal: "86991",
      regimenFiscal: "601",
    },
    pagos: [pago()],
    ...over,
  };
}

function codes(input: PagoComprobanteInput): string[] {
  return validatePagoInput(input).issues.map((i) => `${i.path}:${i.code}`);
}

describe("buildPagoComprobante: the comprobante Anexo 20 requires for tipo P", () => {
  it("writes SubTotal/Total 0, Moneda XXX, the Pago concepto and UsoCFDI CP01", () => {
    const { comprobante: c } = buildPagoComprobante(rep());
    expect(c).toMatchObject({
      Version: "4.0",
      TipoDeComprobante: "P",
      SubTotal: "0",
      Total: "0",
      Moneda: "XXX",
      Exportacion: "01",
      LugarExpedicion: "42501",
    });
    expect(c.FormaPago).toBeUndefined();
    expect(c.MetodoPago).toBeUndefined();
    expect(c.Impuestos).toBeUndefined();
    expect(c.Receptor.UsoCFDI).toBe("CP01");
    expect(c.Conceptos).toEqual([
      expect.objectContaining({
        ClaveProdServ: "84111506",
        Cantidad: "1",
        ClaveUnidad: "ACT",
        Descripcion: "Pago",
        ValorUnitario: "0",
        Importe: "0",
        ObjetoImp: "01",
      }),
    ]);
  });

  it("prorates the invoice's IVA by the share paid and totals in MXN", () => {
    const { pagos } = buildPagoComprobante(rep());
    const p = pagos.Pago[0]!;
    expect(p).toMatchObject({ MonedaP: "MXN", TipoCambioP: "1", Monto: "580.00" });
    expect(p.DoctosRelacionados[0]).toMatchObject({
      MonedaDR: "MXN",
      EquivalenciaDR: "1",
      NumParcialidad: "1",
      ImpSaldoAnt: "1160.00",
      ImpPagado: "580.00",
      ImpSaldoInsoluto: "580.00",
      TrasladosDR: [
        { BaseDR: "500.00", ImpuestoDR: "002", TipoFactorDR: "Tasa", TasaOCuotaDR: "0.160000", ImporteDR: "80.00" },
      ],
    });
    expect(p.TrasladosP).toEqual([
      { BaseP: "500.00", ImpuestoP: "002", TipoFactorP: "Tasa", TasaOCuotaP: "0.160000", ImporteP: "80.00" },
    ]);
    expect(pagos.Totales).toMatchObject({
      TotalTrasladosBaseIVA16: "500.00",
      TotalTrasladosImpuestoIVA16: "80.00",
      MontoTotalPagos: "580.00",
    });
  });

  it("ImpSaldoInsoluto is exactly ImpSaldoAnt − ImpPagado; BaseDR rounds half up per document", () => {
    // Third of three parcialidades of 1000.00 + IVA = 1160.00: 386.67 + 386.67 + 386.66.
    const { pagos } = buildPagoComprobante(
      rep({
        pagos: [
          pago({ doctosRelacionados: [docto({ numParcialidad: 3, impSaldoAnt: "386.66", impPagado: "386.66" })] }),
        ],
      }),
    );
    const d = pagos.Pago[0]!.DoctosRelacionados[0]!;
    expect(d.ImpSaldoInsoluto).toBe("0.00");
    // 1000 × 386.66 / 1160 = 333.3275… → 333.33; × 0.16 = 53.3328 → 53.33
    expect(d.TrasladosDR).toEqual([expect.objectContaining({ BaseDR: "333.33", ImporteDR: "53.33" })]);
  });

  it("groups several documents per Pago, exento and retenciones included", () => {
    const { pagos } = buildPagoComprobante(
      rep({
        pagos: [
          pago({
            doctosRelacionados: [
              docto(),
              docto({
                idDocumento: UUID_B,
                impSaldoAnt: "1000.00",
                impPagado: "1000.00",
                totalDocumento: "1000.00",
                traslados: [{ impuesto: "002", tipoFactor: "Exento", base: "1000.00" }],
              }),
              docto({
                idDocumento: "11111111-2222-4333-8444-555555555555",
                impSaldoAnt: "1053.33",
                impPagado: "1053.33",
                totalDocumento: "1053.33",
                retenciones: [
                  { impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.106667", base: "1000.00" },
                  { impuesto: "ISR", tipoFactor: "Tasa", tasaOCuota: "0.10", base: "1000.00" },
                ],
              }),
            ],
          }),
        ],
      }),
    );
    const p = pagos.Pago[0]!;
    expect(p.Monto).toBe("2633.33");
    expect(p.TrasladosP).toEqual([
      { BaseP: "1500.00", ImpuestoP: "002", TipoFactorP: "Tasa", TasaOCuotaP: "0.160000", ImporteP: "240.00" },
      { BaseP: "1000.00", ImpuestoP: "002", TipoFactorP: "Exento", TasaOCuotaP: undefined, ImporteP: undefined },
    ]);
    expect(p.RetencionesP).toEqual([
      { ImpuestoP: "002", ImporteP: "106.67" },
      { ImpuestoP: "001", ImporteP: "100.00" },
    ]);
    expect(pagos.Totales).toMatchObject({
      TotalRetencionesIVA: "106.67",
      TotalRetencionesISR: "100.00",
      TotalTrasladosBaseIVA16: "1500.00",
      TotalTrasladosImpuestoIVA16: "240.00",
      TotalTrasladosBaseIVAExento: "1000.00",
      MontoTotalPagos: "2633.33",
    });
  });

  it("foreign currency: EquivalenciaDR converts, ImpuestosP in MonedaP, Totales × TipoCambioP", () => {
    // Pagos20.xsd's own example: 100 EUR × 1.0465711361 USD/EUR = 104.66 USD.
    const { pagos } = buildPagoComprobante(
      rep({
        pagos: [
          pago({
            monedaP: "EUR",
            tipoCambioP: "20.50",
            doctosRelacionados: [
              docto({
                monedaDR: "USD",
                equivalenciaDR: "1.0465711361",
                impSaldoAnt: "116.00",
                impPagado: undefined,
                pagadoEnMonedaP: "100.00",
                totalDocumento: "116.00",
                traslados: [{ impuesto: "002", tipoFactor: "Tasa", tasaOCuota: "0.16", base: "100.00" }],
              }),
            ],
          }),
        ],
      }),
    );
    const p = pagos.Pago[0]!;
    const d = p.DoctosRelacionados[0]!;
    expect(d).toMatchObject({
      MonedaDR: "USD",
      EquivalenciaDR: "1.0465711361",
      ImpPagado: "104.66",
      ImpSaldoInsoluto: "11.34",
    });
    // BaseDR = 100 × 104.66 / 116 = 90.2241… → 90.22; ImporteDR = 14.4352 → 14.44
    expect(d.TrasladosDR?.[0]).toMatchObject({ BaseDR: "90.22", ImporteDR: "14.44" });
    // Monto default = 104.66 / 1.0465711361 = 100.0026… truncated → 100.00
    expect(p).toMatchObject({ MonedaP: "EUR", TipoCambioP: "20.50", Monto: "100.00" });
    // BaseP = 90.22 / 1.0465711361 = 86.2053202959… truncated to 6 decimals
    expect(p.TrasladosP?.[0]).toMatchObject({ BaseP: "86.20532", ImporteP: "13.797437" });
    expect(pagos.Totales).toMatchObject({
      TotalTrasladosBaseIVA16: "1767.21", // 86.20532 × 20.5 = 1767.20906
      TotalTrasladosImpuestoIVA16: "282.85", // 13.797437 × 20.5 = 282.8474585
      MontoTotalPagos: "2050.00",
    });
  });
});

describe("validatePagoInput: Spanish issues", () => {
  it("accepts the base example", () => {
    expect(codes(rep())).toEqual([]);
  });

  it("rejects ImpPagado ≤ 0 and above the saldo, and NumParcialidad < 1", () => {
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ impPagado: "0" })] })] }))).toContain(
      "pagos[0].doctosRelacionados[0].impPagado:NOT_POSITIVE",
    );
    const over = validatePagoInput(rep({ pagos: [pago({ doctosRelacionados: [docto({ impPagado: "1160.01" })] })] }));
    expect(over.issues).toEqual([
      {
        path: "pagos[0].doctosRelacionados[0].impPagado",
        code: "IMP_PAGADO_EXCEDE_SALDO",
        message: "El importe pagado (1160.01) no puede ser mayor que el saldo anterior (1160.00).",
      },
    ]);
    for (const n of [0, "0", -1, "1.5", 1000, "abc"])
      expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ numParcialidad: n as number })] })] }))).toEqual([
        "pagos[0].doctosRelacionados[0].numParcialidad:NUM_PARCIALIDAD",
      ]);
  });

  it("checks the related document's UUID, currency, equivalencia and decimals", () => {
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ idDocumento: "F-123" })] })] }))).toEqual([
      "pagos[0].doctosRelacionados[0].idDocumento:UUID_FORMAT",
    ]);
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ monedaDR: "USD" })] })] }))).toEqual([
      "pagos[0].doctosRelacionados[0].equivalenciaDR:REQUIRED",
    ]);
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ equivalenciaDR: "1.5" })] })] }))).toEqual([
      "pagos[0].doctosRelacionados[0].equivalenciaDR:EQUIVALENCIA_MISMA_MONEDA",
    ]);
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ impPagado: "1.234" })] })] }))).toEqual([
      "pagos[0].doctosRelacionados[0].impPagado:TOO_MANY_DECIMALS",
    ]);
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ impPagado: 580.5 })] })] }))).toEqual([
      "pagos[0].doctosRelacionados[0].impPagado:AMOUNT_NOT_STRING",
    ]);
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto(), docto()] })] }))).toEqual([
      "pagos[0].doctosRelacionados[1].idDocumento:DOCUMENTO_DUPLICADO",
    ]);
    expect(
      codes(
        rep({ pagos: [pago({ doctosRelacionados: [docto({ impPagado: undefined, pagadoEnMonedaP: undefined })] })] }),
      ),
    ).toEqual(["pagos[0].doctosRelacionados[0].impPagado:REQUIRED"]);
  });

  it("checks taxes against ObjetoImpDR and the invoice total", () => {
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ objetoImpDR: "01" })] })] }))).toEqual([
      "pagos[0].doctosRelacionados[0].traslados:OBJETO_IMP_CON_IMPUESTOS",
    ]);
    expect(
      codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ traslados: [], totalDocumento: "1160.00" })] })] })),
    ).toEqual(["pagos[0].doctosRelacionados[0].traslados:OBJETO_IMP_SIN_IMPUESTOS"]);
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ totalDocumento: undefined })] })] }))).toEqual([
      "pagos[0].doctosRelacionados[0].totalDocumento:REQUIRED",
    ]);
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [docto({ totalDocumento: "1000.00" })] })] }))).toEqual([
      "pagos[0].doctosRelacionados[0].impSaldoAnt:SALDO_EXCEDE_TOTAL",
    ]);
    expect(
      codes(
        rep({
          pagos: [
            pago({
              doctosRelacionados: [
                docto({ traslados: [{ impuesto: "003", tipoFactor: "Cuota", tasaOCuota: "1.5", base: "10" }] }),
              ],
            }),
          ],
        }),
      ),
    ).toEqual(["pagos[0].doctosRelacionados[0].traslados[0].tipoFactor:CUOTA_NO_SOPORTADA"]);
  });

  it("checks the Pago: forma 99, moneda XXX, tipo de cambio, monto, fecha, cuentas", () => {
    expect(codes(rep({ pagos: [pago({ formaDePagoP: "99" })] }))).toEqual([
      "pagos[0].formaDePagoP:FORMA_PAGO_POR_DEFINIR",
    ]);
    expect(codes(rep({ pagos: [pago({ monedaP: "XXX" })] }))).toEqual(["pagos[0].monedaP:MONEDA_XXX"]);
    expect(codes(rep({ pagos: [pago({ tipoCambioP: "17.5" })] }))).toEqual(["pagos[0].tipoCambioP:TIPO_CAMBIO_MXN"]);
    expect(codes(rep({ pagos: [pago({ monedaP: "USD", doctosRelacionados: [docto({ monedaDR: "USD" })] })] }))).toEqual(
      ["pagos[0].tipoCambioP:REQUIRED"],
    );
    expect(codes(rep({ pagos: [pago({ monto: "579.99" })] }))).toEqual(["pagos[0].monto:MONTO_INSUFICIENTE"]);
    expect(codes(rep({ pagos: [pago({ fechaPago: "2025-02-30T12:00:00" })] }))).toEqual([
      "pagos[0].fechaPago:FECHA_FORMAT",
    ]);
    expect(codes(rep({ pagos: [pago({ ctaOrdenante: "123" })] }))).toEqual(["pagos[0].ctaOrdenante:CUENTA_FORMAT"]);
    expect(codes(rep({ pagos: [pago({ numOperacion: "a|b" })] }))).toEqual(["pagos[0].numOperacion:PIPE_CHAR"]);
    expect(codes(rep({ pagos: [pago({ doctosRelacionados: [] })] }))).toEqual(["pagos[0].doctosRelacionados:REQUIRED"]);
    expect(codes(rep({ pagos: [] }))).toEqual(["pagos:REQUIRED"]);
    const m = validatePagoInput(rep({ pagos: [pago({ monto: "579.99" })] })).issues[0]!;
    expect(m.message).toBe(
      "El monto del pago (579.99 MXN) es menor que la suma de los importes pagados convertidos a la moneda del pago (580.00).",
    );
  });

  it("checks the comprobante: uso CP01, relación 04, emisor and receptor as for any CFDI", () => {
    expect(codes(rep({ receptor: { ...rep().receptor, usoCfdi: "G03" } }))).toEqual(["receptor.usoCfdi:USO_CFDI_PAGO"]);
    expect(codes(rep({ cfdiRelacionados: [{ tipoRelacion: "01", uuids: [UUID_B] }] }))).toEqual([
      "cfdiRelacionados[0].tipoRelacion:TIPO_RELACION_PAGO",
    ]);
    expect(codes(rep({ emisor: { rfc: "XAXX010101000", nombre: "X", regimenFiscal: "601" } }))).toContain(
      "emisor.rfc:RFC_GENERICO_EMISOR",
    );
    expect(codes(rep({ lugarExpedicion: "123" }))).toEqual(["lugarExpedicion:CP_FORMAT"]);
  });

  it("reports everything at once and buildPagoComprobante throws CfdiError with all of it", () => {
    const bad = rep({
      lugarExpedicion: "1",
      pagos: [pago({ formaDePagoP: "99", doctosRelacionados: [docto({ impPagado: "-1" })] })],
    });
    expect(codes(bad)).toHaveLength(3);
    expect(() => buildPagoComprobante(bad)).toThrow(CfdiError);
  });

  it("rejects a payment so small that a prorated base rounds to zero", () => {
    expect(() =>
      buildPagoComprobante(
        rep({
          pagos: [
            pago({
              doctosRelacionados: [
                docto({
                  impSaldoAnt: "1160.00",
                  impPagado: "0.01",
                  traslados: [
                    { impuesto: "002", tipoFactor: "Tasa", tasaOCuota: "0.16", base: "990.00" },
                    { impuesto: "003", tipoFactor: "Tasa", tasaOCuota: "0.08", base: "10.00" },
                  ],
                }),
              ],
            }),
          ],
        }),
      ),
    ).toThrow(/redondea a cero/);
  });
});

describe("buildSignedPago", () => {
  it("seals a recibo de pago that verifyCfdi accepts, with the Pagos 2.0 namespace", async () => {
    const csd = await loadCsd(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
    const s = await buildSignedPago(rep(), csd);
    expect(s.xml).toContain('xmlns:pago20="http://www.sat.gob.mx/Pagos20"');
    expect(s.xml).toContain("http://www.sat.gob.mx/Pagos20 http://www.sat.gob.mx/sitio_internet/cfd/Pagos/Pagos20.xsd");
    expect(s.cadenaOriginal).toContain(
      "|CP01|84111506|1|ACT|Pago|0|0|01|2.0|500.00|80.00|580.00|2025-02-28T12:00:00|03|MXN|1|580.00|",
    );
    const v = await verifyCfdi(s.xml);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.cadenaOriginal).toBe(s.cadenaOriginal);
  });

  it("refuses a CSD of another RFC", async () => {
    const csd = await loadCsd(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
    await expect(
      buildSignedPago(rep({ emisor: { rfc: "URE180429TM6", nombre: "U", regimenFiscal: "601" } }), csd),
    ).rejects.toThrow(CfdiError);
  });
});

describe("cfdiToPdf on a recibo de pago", () => {
  it("prints without failing", async () => {
    const { cfdiToPdf } = await import("./pdf.ts");
    const csd = await loadCsd(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
    const s = await buildSignedPago(rep(), csd);
    const pdf = await cfdiToPdf(s.xml);
    expect(pdf.length).toBeGreaterThan(1000);
  });
});

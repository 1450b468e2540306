import { describe, expect, it } from "vitest";
import { buildComprobante } from "../cfdi/build.ts";
import { computeTotals } from "../proposals/totals.ts";
import { invoiceFromProposal, type ProposalForInvoice, type ReceptorData } from "./proposal-invoice.ts";

const issuer = {
  rfc: "EKU9003173C9",
  razonSocial: "ESCUELA KEMPER URGATE",
  regimenFiscal: "601",
  lugarExpedicion: "86000",
  serie: "A",
};
const receptor: ReceptorData = {
  rfc: "MCI7306249Y1",
  razonSocial: "MUNICIPIO",
  regimenFiscal: "603",
  codigoPostal: "54700",
  usoCfdi: "G03",
};
const item = (over: Partial<ProposalForInvoice["items"][number]> = {}): ProposalForInvoice["items"][number] => ({
  name: "Licencia anual CRM",
  description: null,
  quantity: "3",
  unitPrice: "1499.99",
  discountPercent: "10",
  taxRate: "0.160000",
  satProductKey: "43231500",
  satUnitKey: "E48",
  ...over,
});

function proposalOf(items: ProposalForInvoice["items"], currency = "MXN", exchangeRate = "1"): ProposalForInvoice {
  return { proposalNumber: "COT-2026-00012", currency, exchangeRate, total: computeTotals(items).totals.total, items };
}

describe("invoiceFromProposal", () => {
  it("builds the CFDI of the accepted amounts: the engine's Total is the proposal's", () => {
    const items = [
      item(),
      item({ name: "Consulta (exenta)", quantity: "1", unitPrice: "850.00", discountPercent: "0", taxRate: null }),
      item({
        name: "Capacitación",
        description: "Dos sesiones",
        quantity: "2.5",
        unitPrice: "333.33",
        discountPercent: "0",
      }),
      item({ name: "Cortesía", unitPrice: "0", discountPercent: "0" }),
      item({ name: "Bonificada", quantity: "1", unitPrice: "100", discountPercent: "100" }),
    ];
    const proposal = proposalOf(items);
    const result = invoiceFromProposal(issuer, receptor, proposal);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { input } = result;
    expect(input).toMatchObject({
      tipoDeComprobante: "I",
      serie: "A",
      moneda: "MXN",
      metodoPago: "PPD",
      formaPago: "99",
      lugarExpedicion: "86000",
      totalEsperado: proposal.total,
    });
    // The free line is left out; the 100 %-discounted one has no taxes (SAT refuses Base 0).
    expect(input.conceptos.map((c) => [c.descripcion, c.objetoImp, c.traslados?.[0]?.tipoFactor ?? null])).toEqual([
      ["Licencia anual CRM", "02", "Tasa"],
      ["Consulta (exenta)", "02", "Exento"],
      ["Capacitación — Dos sesiones", "02", "Tasa"],
      ["Bonificada", "01", null],
    ]);
    expect(input.conceptos[0]).toMatchObject({ cantidad: "3", valorUnitario: "1499.99", descuento: "450.00" });
    const built = buildComprobante(input, { now: new Date("2026-12-02T18:00:00Z") });
    expect(built.comprobante.Total).toBe(proposal.total);
  });

  it("foreign currency carries the exchange rate; given payment terms replace PPD/99", () => {
    const proposal = proposalOf([item()], "USD", "17.250000");
    const result = invoiceFromProposal(issuer, receptor, proposal, {
      metodoPago: "PUE",
      formaPago: "03",
      usoCfdi: "G01",
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.input).toMatchObject({ moneda: "USD", tipoCambio: "17.250000", metodoPago: "PUE", formaPago: "03" });
    expect(result.input.receptor.usoCfdi).toBe("G01");
    expect(buildComprobante(result.input, { now: new Date("2026-12-02T18:00:00Z") }).comprobante.Total).toBe(
      proposal.total,
    );
  });

  it("lists every missing piece at once: customer fiscal data and SAT keys", () => {
    const result = invoiceFromProposal(
      issuer,
      { ...receptor, rfc: null, regimenFiscal: null, codigoPostal: null },
      proposalOf([
        item({ satProductKey: null }),
        item({ satUnitKey: null }),
        item({ unitPrice: "0", satProductKey: null }),
      ]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => `${i.path}:${i.code}`)).toEqual([
      "customer.rfc:CUSTOMER_FISCAL_DATA",
      "customer.regimenFiscal:CUSTOMER_FISCAL_DATA",
      "customer.codigoPostal:CUSTOMER_FISCAL_DATA",
      "proposal.items[0].satProductKey:SAT_PRODUCT_KEY_MISSING",
      "proposal.items[1].satUnitKey:SAT_UNIT_KEY_MISSING",
    ]);
    for (const i of result.issues) expect(i.message).toMatch(/[áéíóúñ]|Falta|partida/);
  });

  it("a proposal with nothing priced has nothing to invoice", () => {
    const result = invoiceFromProposal(issuer, receptor, proposalOf([item({ unitPrice: "0" })]));
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(["NO_BILLABLE_ITEMS"]);
  });
});

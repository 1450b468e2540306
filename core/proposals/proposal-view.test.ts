import { describe, expect, it } from "vitest";
import { buildProposalView, formatDateMx, formatQuantity, formatTaxRate } from "./proposal-view.ts";

describe("proposal view (es-MX)", () => {
  it("formats dates in the tenant's zone, quantities and tax rates", () => {
    expect(formatDateMx("2026-12-15", "America/Mexico_City")).toBe("15 de diciembre de 2026");
    // 03:00 UTC on Dec 1 is still Nov 30 in Mexico City (UTC−6, no DST since 2022).
    expect(formatDateMx("2026-12-01T03:00:00.000Z", "America/Mexico_City")).toBe("30 de noviembre de 2026");
    expect(formatQuantity("2.5000")).toBe("2.5");
    expect(formatQuantity("3.0000")).toBe("3");
    expect(formatTaxRate("0.160000")).toBe("16 %");
    expect(formatTaxRate("0.080000")).toBe("8 %");
    expect(formatTaxRate("0.000000")).toBe("0 %");
    expect(formatTaxRate(null)).toBe("Exento");
  });

  it("shows money as $12,345.67 MXN", () => {
    const view = buildProposalView({
      tenantName: "Demo",
      number: "COT-2026-00001",
      title: "Propuesta",
      status: "sent",
      clientName: "Cliente",
      currency: "MXN",
      sentAt: "2026-11-28T18:00:00.000Z",
      validUntil: "2026-12-31",
      decidedAt: null,
      acceptedByName: null,
      rejectionReason: null,
      notes: null,
      terms: null,
      timezone: "America/Mexico_City",
      items: [
        {
          name: "Licencia",
          description: null,
          quantity: "12.0000",
          unitPrice: "1000.0000",
          discountPercent: "10.00",
          taxRate: "0.160000",
          total: "12528.00",
        },
      ],
      totals: { subtotal: "12000.00", discountTotal: "1200.00", taxTotal: "1728.00", total: "12528.00" },
    });
    expect(view.total).toBe("$12,528.00 MXN");
    expect(view.items[0]).toMatchObject({ quantity: "12", unitPrice: "$1,000.00 MXN", discount: "10 %", tax: "16 %" });
    expect(view.statusLabel).toBe("Enviada");
    expect(view.validUntil).toBe("31 de diciembre de 2026");
  });
});

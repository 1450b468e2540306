import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { renderProposalPdf } from "./proposal-pdf.ts";
import { buildProposalView } from "./proposal-view.ts";

const view = buildProposalView({
  tenantName: "Demo Comercial del Centro",
  number: "COT-2026-00001",
  title: "Equipamiento de consultorios y capacitación",
  status: "sent",
  clientName: "CLÍNICA SAN RAFAEL",
  currency: "MXN",
  sentAt: "2026-11-28T18:00:00.000Z",
  validUntil: "2026-12-28",
  decidedAt: null,
  acceptedByName: null,
  rejectionReason: null,
  notes: "Entrega en Guadalajara sin costo 🚚",
  terms: null,
  timezone: "America/Mexico_City",
  items: Array.from({ length: 40 }, (_, i) => ({
    name: `Concepto ${i + 1} con nombre largo para probar el ajuste de línea`,
    description: i % 2 ? "Descripción" : null,
    quantity: "1.0000",
    unitPrice: "1000.0000",
    discountPercent: i === 0 ? "10.00" : "0.00",
    taxRate: i === 1 ? null : "0.160000",
    total: "1160.00",
  })),
  totals: { subtotal: "40000.00", discountTotal: "100.00", taxTotal: "6224.00", total: "46124.00" },
});

function hasPdftotext(): boolean {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("proposal PDF", () => {
  it("is a valid multi-page PDF with the proposal's metadata", async () => {
    const bytes = await renderProposalPdf(view);
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBeGreaterThan(1);
    expect(doc.getTitle()).toBe("COT-2026-00001 · Equipamiento de consultorios y capacitación");
  });

  it.runIf(hasPdftotext() || process.env.CI)(
    "contains the same numbers as the page (read back with pdftotext)",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "proposal-pdf-"));
      const file = path.join(dir, "p.pdf");
      writeFileSync(file, await renderProposalPdf(view));
      const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
      for (const s of [
        "COT-2026-00001",
        "CLÍNICA SAN RAFAEL",
        "$46,124.00 MXN",
        "Exento",
        "28 de diciembre de 2026",
        "Entrega en Guadalajara sin costo ?",
      ]) {
        expect(text).toContain(s);
      }
    },
  );
});

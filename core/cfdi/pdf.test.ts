import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSignedCfdi } from "./build.ts";
import type { Csd } from "./csd.ts";
import { loadCsd } from "./csd.ts";
import type { InvoiceInput } from "./invoice-input.ts";
import { cfdiToPdf, satVerificationUrl } from "./pdf.ts";
import { csdFiles, fixturesDir, repoRoot, tempDir } from "./test/oracle.ts";

const has = (cmd: string) => !spawnSync(cmd, ["-v"]).error;
const poppler = has("pdftotext") && has("pdftoppm");
const zbar = !spawnSync("zbarimg", ["--version"]).error;
if (!poppler)
  console.warn("[cfdi] pdftotext/pdftoppm not found: PDF text checks skipped (apt-get install poppler-utils)");

function pdfText(bytes: Uint8Array): string {
  const file = join(tempDir("pdf-"), "x.pdf");
  writeFileSync(file, bytes);
  return spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).stdout;
}

describe("PDF representation", () => {
  let csd: Csd;
  beforeAll(async () => {
    csd = await loadCsd(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
  });

  it("prints the timbre's Leyenda on top (a sandbox stamp says it has no fiscal value)", async () => {
    const { createSandboxPacKeys, importSandboxKey, sandboxStamp } = await import("../invoicing/sandbox-pac.ts");
    const example = JSON.parse(readFileSync(join(repoRoot, "examples/cfdi/factura.json"), "utf8")) as InvoiceInput;
    const sealed = await buildSignedCfdi(example, csd);
    const keys = await createSandboxPacKeys();
    const { xml } = await sandboxStamp(
      sealed.xml,
      { privateKey: await importSandboxKey(keys.pkcs8), noCertificado: keys.noCertificado },
      { fechaTimbrado: "2026-12-02T12:00:05" },
    );
    const bytes = await cfdiToPdf(xml);
    if (!poppler) return;
    const text = pdfText(bytes);
    expect(text.trimStart().startsWith("SIN VALIDEZ FISCAL — SANDBOX")).toBe(true);
    expect(pdfText(await cfdiToPdf(sealed.xml))).not.toContain("VALIDEZ");
  });

  it("renders a stamped third-party CFDI with folio fiscal, amount in words, sellos and a readable QR", async () => {
    const xml = readFileSync(join(fixturesDir, "cfdi/cfdi40-real.xml"), "utf8");
    const bytes = await cfdiToPdf(xml);
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBe(1);
    if (!poppler) return;
    const text = pdfText(bytes);
    for (const s of [
      "C2832671-DA6D-11EF-A83D-00155D012007",
      "ISD950921HE5",
      "COSC8001137NA",
      "MIL PESOS 00/100 M.N.",
      "00001000000510877575",
      "Sello digital del SAT",
      "complemento de certificación digital del SAT",
      "$1,000.00",
    ]) {
      expect(text).toContain(s);
    }
    if (!zbar) return;
    const dir = tempDir("pdfqr-");
    writeFileSync(join(dir, "r.pdf"), bytes);
    spawnSync("pdftoppm", ["-r", "200", "-png", join(dir, "r.pdf"), join(dir, "page")]);
    const decoded = spawnSync("zbarimg", ["-q", "--raw", join(dir, "page-1.png")], { encoding: "utf8" }).stdout.trim();
    const sello = /Sello="([^"]+)"/.exec(xml)?.[1] as string;
    expect(decoded).toBe(
      satVerificationUrl({
        uuid: "C2832671-DA6D-11EF-A83D-00155D012007",
        rfcEmisor: "ISD950921HE5",
        rfcReceptor: "COSC8001137NA",
        total: "1000.00",
        sello,
      }),
    );
  });

  it("paginates long invoices, prints unsupported glyphs as '?', and marks unstamped CFDI", async () => {
    const input: InvoiceInput = JSON.parse(readFileSync(join(repoRoot, "examples/cfdi/factura.json"), "utf8"));
    delete input.totalEsperado;
    const line = input.conceptos[0]!;
    input.conceptos = Array.from({ length: 60 }, (_, i) => ({
      ...line,
      descripcion: `Partida ${i + 1} 😀 con una descripción larga que ocupa más de una línea en la tabla de conceptos del PDF`,
    }));
    const { xml } = await buildSignedCfdi(input, csd);
    const bytes = await cfdiToPdf(xml);
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBeGreaterThan(2);
    if (!poppler) return;
    const text = pdfText(bytes);
    expect(text).toContain("Partida 60 ? con");
    expect(text).toContain("SIN TIMBRAR");
    expect(text).toMatch(/Página 1 de \d/);
  });

  it("refuses a document that is not a CFDI 4.0", async () => {
    await expect(cfdiToPdf("<a/>")).rejects.toThrow(/CFDI 4.0/);
  });
});

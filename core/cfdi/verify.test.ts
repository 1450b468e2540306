import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyCfdi } from "./verify.ts";
import { buildSignedCfdi } from "./build.ts";
import { loadCsd } from "./csd.ts";
import { signCadena } from "./sello.ts";
import { cadenaTfdFromXml } from "./tfd.ts";
import { comprobanteToXml, escapeAttribute } from "./xml-writer.ts";
import { csdFiles, repoRoot } from "./test/oracle.ts";
import { fixturesDir } from "./test/oracle.ts";

const read = (name: string) => readFileSync(join(fixturesDir, "cfdi", name), "utf8");

/** Changes one character of the value that starts at `at` (digit → next digit, letter → other letter). */
function mutateChar(xml: string, at: number): string {
  const c = xml[at] as string;
  let r: string;
  if (/[0-9]/.test(c)) r = String((Number(c) + 1) % 10);
  else if (/[A-Y]/.test(c)) r = String.fromCharCode(c.charCodeAt(0) + 1);
  else if (/[a-y]/.test(c)) r = String.fromCharCode(c.charCodeAt(0) + 1);
  else if (c === "Z" || c === "z") r = "A";
  else r = "X";
  return xml.slice(0, at) + r + xml.slice(at + 1);
}

/** Every attribute value of the signed part (the Comprobante minus Sello/Certificado and the complement). */
function signedValuePositions(xml: string): { name: string; start: number; length: number }[] {
  const begin = xml.indexOf("<cfdi:Comprobante");
  const end = xml.indexOf("<cfdi:Complemento");
  const body = " ".repeat(begin) + (end < 0 ? xml.slice(begin) : xml.slice(begin, end));
  const out: { name: string; start: number; length: number }[] = [];
  for (const m of body.matchAll(/\s([\w:]+)="([^"]*)"/g)) {
    const name = m[1] as string;
    if (name.startsWith("xmlns") || name.startsWith("xsi:") || name === "Sello" || name === "Certificado") continue;
    const value = m[2] as string;
    if (!value.trim()) continue;
    out.push({ name, start: (m.index as number) + m[0].length - 1 - value.length, length: value.length });
  }
  return out;
}

describe("verifyCfdi", () => {
  it("accepts the real third-party invoice and reports its TimbreFiscalDigital", async () => {
    const r = await verifyCfdi(read("cfdi40-real.xml"));
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.selloValid).toBe(true);
    expect(r.emisor?.rfc).toBe("ISD950921HE5");
    expect(r.certificate?.noCertificado).toBe("00001000000510877575");
    expect(r.certificate?.kind).toBe("CSD");
    expect(r.timbre?.uuid).toMatch(/^[0-9A-F-]{36}$/);
    expect(r.timbre?.rfcProvCertif).toBeTruthy();
    expect(r.timbre?.noCertificadoSat).toMatch(/^\d{20}$/);
    expect(r.timbre?.cadenaOriginal.startsWith("||1.1|")).toBe(true);
  });

  it.each(["cfdi40-valid.xml", "created-with-discounts-40.xml"])(
    "accepts %s sealed with the SAT test CSD",
    async (name) => {
      const r = await verifyCfdi(read(name));
      expect(r.errors).toEqual([]);
      expect(r.valid).toBe(true);
      expect(r.certificate?.rfc).toBe("EKU9003173C9");
    },
  );

  it.each(["cfdi40-real.xml", "cfdi40-valid.xml", "created-with-discounts-40.xml"])(
    "rejects any one-character change to a signed value of %s",
    async (name) => {
      const xml = read(name);
      const positions = signedValuePositions(xml);
      expect(positions.length).toBeGreaterThan(20);
      for (const p of positions) {
        // first, middle and last character of every value
        for (const at of new Set([p.start, p.start + (p.length >> 1), p.start + p.length - 1])) {
          if (/\s/.test(xml[at] as string)) continue;
          const r = await verifyCfdi(mutateChar(xml, at));
          expect(r.valid, `${name}: ${p.name} changed at ${at}`).toBe(false);
          expect(r.errors.length).toBeGreaterThan(0);
        }
      }
    },
    60_000,
  );

  it("rejects a changed Sello, Certificado, SelloCFD", async () => {
    const xml = read("cfdi40-valid.xml");
    const sello = xml.indexOf('Sello="') + 7 + 20;
    expect((await verifyCfdi(mutateChar(xml, sello))).errors.map((e) => e.code)).toContain("SELLO_INVALID");
    // The serial inside the certificate ("MzAwMDEw…" is base64 of "3000 1…") must match NoCertificado.
    const cert = xml.indexOf(' Certificado="') + 14 + 24;
    expect((await verifyCfdi(mutateChar(xml, cert))).errors.map((e) => e.code)).toContain("NOCERTIFICADO_MISMATCH");
    const selloCfd = xml.indexOf('SelloCFD="') + 10 + 5;
    expect((await verifyCfdi(mutateChar(xml, selloCfd))).errors.map((e) => e.code)).toEqual(["TFD_SELLOCFD_MISMATCH"]);
  });

  it("checks SelloSAT when the SAT certificate is supplied", async () => {
    // A stand-in "SAT" stamps with the test CSD: same algorithm as the real TFD 1.1 SelloSAT.
    const cer = readFileSync(csdFiles.cer);
    const csd = await loadCsd(cer, readFileSync(csdFiles.key), csdFiles.password);
    const input = JSON.parse(readFileSync(join(repoRoot, "examples/cfdi/factura.json"), "utf8"));
    const sealed = await buildSignedCfdi(input, csd);
    const tfdAttrs = (selloSat: string) =>
      `Version="1.1" UUID="6F35D3B5-3651-5370-BC2C-14CDBE384CD7" FechaTimbrado="2025-03-14T10:31:00" RfcProvCertif="SPR190613I52" SelloCFD="${escapeAttribute(sealed.comprobante.Sello as string)}" NoCertificadoSAT="${csd.certificate.noCertificado}" SelloSAT="${selloSat}"`;
    const tfd = (selloSat: string) =>
      `<tfd:TimbreFiscalDigital xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital" ${tfdAttrs(selloSat)}/>`;
    const cadenaTfd = cadenaTfdFromXml(tfd(""));
    const selloSat = await signCadena(csd.privateKey, cadenaTfd);
    const stamped = comprobanteToXml(sealed.comprobante, tfd(selloSat));
    const ok = await verifyCfdi(stamped, {
      satCertificate: async (no) => (no === csd.certificate.noCertificado ? cer : undefined),
    });
    expect(ok.errors).toEqual([]);
    expect(ok.timbre?.selloSatValid).toBe(true);
    expect((await verifyCfdi(stamped)).timbre?.selloSatValid).toBeUndefined();
    const forged = comprobanteToXml(
      sealed.comprobante,
      tfd(selloSat).replace("2025-03-14T10:31:00", "2025-03-14T10:32:00"),
    );
    const bad = await verifyCfdi(forged, { satCertificate: () => cer });
    expect(bad.errors.map((e) => e.code)).toEqual(["TFD_SELLOSAT_INVALID"]);
    expect(bad.valid).toBe(false);
    const other = readFileSync(join(fixturesDir, "cfdi/cfdi40-real.xml"), "utf8");
    const otherCert = / Certificado="([^"]+)"/.exec(other)?.[1] as string;
    expect((await verifyCfdi(stamped, { satCertificate: () => otherCert })).errors.map((e) => e.code)).toEqual([
      "TFD_CERT_MISMATCH",
    ]);
  });

  it("warns about amounts that do not add up (SAT arithmetic checks)", async () => {
    const xml = read("created-with-discounts-40.xml");
    expect((await verifyCfdi(xml)).warnings).toEqual([]);
    const codes = async (x: string) => (await verifyCfdi(x)).warnings.map((w) => w.code).sort();
    expect(await codes(xml.replace('SubTotal="3300.00"', 'SubTotal="3300.01"'))).toEqual([
      "AMOUNT_SUBTOTAL",
      "AMOUNT_TOTAL",
    ]);
    // Cantidad "1" × ValorUnitario "1000" written without decimals: SAT tolerates 499.75–1500.75.
    expect(await codes(xml.replace('Importe="1000" ObjetoImp', 'Importe="1001" ObjetoImp'))).toEqual([
      "AMOUNT_SUBTOTAL",
    ]);
    expect(await codes(xml.replace('Importe="1000" ObjetoImp', 'Importe="1600" ObjetoImp'))).toEqual([
      "AMOUNT_IMPORTE",
      "AMOUNT_SUBTOTAL",
    ]);
    expect(
      await codes(xml.replace('TotalImpuestosTrasladados="448.00"', 'TotalImpuestosTrasladados="448.10"')),
    ).toEqual(["AMOUNT_TOTAL", "AMOUNT_TRASLADOS"]);
    expect(await codes(xml.replace(' Descuento="500.00"', ""))).toEqual(["AMOUNT_DESCUENTO", "AMOUNT_TOTAL"]);
    expect(await codes(xml.replace('Total="3248.00"', 'Total="x"'))).toEqual(["AMOUNT_FORMAT"]);
  });

  it("reports non-CFDI input without throwing", async () => {
    expect((await verifyCfdi("no es xml")).errors[0]?.code).toBe("XML_INVALID");
    expect((await verifyCfdi("<a/>")).errors[0]?.code).toBe("NOT_CFDI40");
    const noCert = read("cfdi40-valid.xml").replace(/ Certificado="[^"]*"/, "");
    expect((await verifyCfdi(noCert)).errors.map((e) => e.code)).toContain("CERT_MISSING");
  });
});

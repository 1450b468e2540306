import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSignedCfdi } from "../cfdi/build.ts";
import { parseCertificate } from "../cfdi/certificate.ts";
import { loadCsd } from "../cfdi/csd.ts";
import { cadenaTfdFromXml } from "../cfdi/tfd.ts";
import {
  csdFiles,
  hasTool,
  opensslVerify,
  openssl,
  repoRoot,
  tempDir,
  tfdXslt,
  xsltprocCadena,
} from "../cfdi/test/oracle.ts";
import { verifyCfdi } from "../cfdi/verify.ts";
import type { InvoiceInput } from "../cfdi/invoice-input.ts";
import { createSandboxPacKeys, importSandboxKey, SANDBOX_LEYENDA, sandboxStamp } from "./sandbox-pac.ts";
import { writeFileSync } from "node:fs";

const example = JSON.parse(readFileSync(join(repoRoot, "examples/cfdi/factura.json"), "utf8")) as InvoiceInput;

async function stamped() {
  const csd = await loadCsd(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
  const sealed = await buildSignedCfdi(example, csd);
  const keys = await createSandboxPacKeys(new Date("2026-12-02T18:00:00Z"));
  const privateKey = await importSandboxKey(keys.pkcs8);
  const result = await sandboxStamp(
    sealed.xml,
    { privateKey, noCertificado: keys.noCertificado },
    {
      fechaTimbrado: "2026-12-02T12:00:05",
    },
  );
  return { sealed, keys, ...result };
}

describe("sandbox PAC", () => {
  it("makes a certificate the engine reads: serial = NoCertificado (20 digits), valid now, RSA", async () => {
    const keys = await createSandboxPacKeys(new Date());
    const cert = parseCertificate(keys.certificateDer);
    expect(cert.noCertificado).toBe(keys.noCertificado);
    expect(keys.noCertificado).toMatch(/^99[0-9]{18}$/);
    expect(cert.notBefore.getTime()).toBeLessThan(Date.now());
    expect(cert.notAfter.getTime()).toBeGreaterThan(Date.now() + 4 * 365 * 86_400_000);
    if (hasTool("openssl")) {
      const dir = tempDir("sandbox-pac-");
      const file = join(dir, "pac.cer");
      writeFileSync(file, keys.certificateDer);
      const text = openssl(["x509", "-inform", "DER", "-in", file, "-noout", "-subject", "-ext", "keyUsage"]);
      expect(text).toContain("SIN VALIDEZ FISCAL");
      expect(text).toContain("Digital Signature, Non Repudiation");
    }
  });

  it("stamps a TFD 1.1 that the engine verifies (sello and TFD sello) and that says it has no fiscal value", async () => {
    const { xml, timbre, keys, sealed } = await stamped();
    expect(timbre.uuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(timbre.selloCfd).toBe(sealed.comprobante.Sello);
    const report = await verifyCfdi(xml, {
      satCertificate: (no) => (no === keys.noCertificado ? keys.certificateDer : undefined),
    });
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.timbre).toMatchObject({
      uuid: timbre.uuid,
      leyenda: SANDBOX_LEYENDA,
      noCertificadoSat: keys.noCertificado,
      selloSatValid: true,
    });
    // Another certificate does not verify it.
    const other = await createSandboxPacKeys();
    const forged = await verifyCfdi(xml.replaceAll(keys.noCertificado, other.noCertificado), {
      satCertificate: () => other.certificateDer,
    });
    expect(forged.timbre?.selloSatValid).toBe(false);
  });

  it("agrees with SAT's TFD stylesheet and openssl", async () => {
    if (!hasTool("xsltproc") || !hasTool("openssl")) return;
    const { xml, timbre, keys } = await stamped();
    const dir = tempDir("sandbox-tfd-");
    const file = join(dir, "tfd.xml");
    // The TFD stylesheet applies to the timbre as its own document (as SAT publishes it).
    const tfd = /<tfd:TimbreFiscalDigital [^>]*\/>/
      .exec(xml)![0]
      .replace(
        "<tfd:TimbreFiscalDigital ",
        '<tfd:TimbreFiscalDigital xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
      );
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>${tfd}`);
    const oracle = xsltprocCadena(file, tfdXslt);
    expect(cadenaTfdFromXml(xml)).toBe(oracle);
    expect(opensslVerify(dir, keys.certificateDer, oracle, timbre.selloSat, "tfd")).toBe(true);
  });
});

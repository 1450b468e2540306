/**
 * The engine against the SAT's own tools, on a few hundred generated invoices covering every
 * option of the builder: for each one, the cadena we sign (from the model) and the cadena we
 * read back from our XML both equal `xsltproc cadenaoriginal_4_0.xslt`; `openssl dgst -verify`
 * accepts the sello; `xmllint` validates against cfdv40.xsd; `verifyCfdi` accepts it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSignedCfdi } from "./build.ts";
import { cadenaFromXml } from "./cadena.ts";
import type { Csd } from "./csd.ts";
import { loadCsd } from "./csd.ts";
import { CfdiError } from "./errors.ts";
import type { InvoiceInput } from "./invoice-input.ts";
import { verifyCfdi } from "./verify.ts";
import { invoiceArb } from "./test/arbitraries.ts";
import {
  csdFiles,
  hasTool,
  prepareSchema,
  tempDir,
  writeDocs,
  xmllintValidate,
  xsltprocCadena,
  xsltprocConcat,
} from "./test/oracle.ts";

const RUNS = Number(process.env.CFDI_PROPERTY_RUNS ?? 300);
const enabled = hasTool("xsltproc") && hasTool("openssl") && hasTool("xmllint");

type Doc = { input: InvoiceInput; xml: string; cadena: string; sello: string };

describe.skipIf(!enabled)(`generated invoices vs SAT oracles (${RUNS} documents)`, () => {
  let csd: Csd;
  const docs: Doc[] = [];
  let dir = "";
  let files: string[] = [];

  beforeAll(async () => {
    csd = await loadCsd(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
    const inputs = fc.sample(invoiceArb, { numRuns: RUNS, seed: Number(process.env.CFDI_PROPERTY_SEED ?? 20250314) });
    for (const input of inputs) {
      try {
        const r = await buildSignedCfdi(input, csd);
        docs.push({ input, xml: r.xml, cadena: r.cadenaOriginal, sello: r.comprobante.Sello as string });
      } catch (e) {
        if (e instanceof CfdiError)
          throw new Error(`generated input rejected: ${e.message}\n${JSON.stringify(input, null, 1)}`);
        throw e;
      }
    }
    dir = tempDir("cfdi-prop-");
    files = writeDocs(
      dir,
      docs.map((d) => d.xml),
    );
  });

  it("every generated input builds (the generator only makes valid invoices)", () => {
    expect(docs).toHaveLength(RUNS);
  });

  it("cadena from the model and from our XML equal xsltproc on the SAT stylesheet", () => {
    const ours = docs.map((d) => d.cadena).join("");
    const theirs = xsltprocConcat(files);
    if (ours !== theirs) {
      // find the first differing document for a readable failure
      docs.forEach((d, i) => expect(d.cadena, `document ${files[i]}`).toBe(xsltprocCadena(files[i] as string)));
    }
    expect(ours).toBe(theirs);
    for (const d of docs) expect(cadenaFromXml(d.xml)).toBe(d.cadena);
  });

  it("openssl verifies every sello with the certificate's public key", () => {
    const pub = join(dir, "pub.pem");
    writeFileSync(join(dir, "cert.der"), csd.certificate.der);
    spawnSync("openssl", ["x509", "-inform", "DER", "-in", join(dir, "cert.der"), "-pubkey", "-noout", "-out", pub]);
    docs.forEach((d, i) => {
      writeFileSync(join(dir, `c${i}.txt`), d.cadena);
      writeFileSync(join(dir, `s${i}.sig`), Buffer.from(d.sello, "base64"));
    });
    // One shell, N openssl processes: far cheaper than N spawns from Node.
    const script = `ok=0; for i in $(seq 0 ${docs.length - 1}); do openssl dgst -sha256 -verify "${pub}" -signature "${dir}/s$i.sig" "${dir}/c$i.txt" >/dev/null 2>&1 && ok=$((ok+1)) || echo "FAIL $i"; done; echo "OK $ok"`;
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    expect(
      r.stdout
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("FAIL")),
    ).toEqual([]);
    expect(r.stdout).toContain(`OK ${docs.length}`);
  });

  it("xmllint validates every document against cfdv40.xsd (catalog types stubbed)", () => {
    const schema = prepareSchema(tempDir("cfdi-xsd-"));
    const r = xmllintValidate(schema, files);
    expect(r.output.split("\n").filter((l) => l && !l.endsWith(" validates"))).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("verifyCfdi accepts every document", async () => {
    for (const d of docs) {
      const r = await verifyCfdi(d.xml);
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]); // our amounts pass SAT's arithmetic checks
      expect(r.valid).toBe(true);
    }
  });
});

/**
 * Test-only helpers around the external oracles (SAT XSLT via xsltproc, openssl, xmllint).
 * Not imported by runtime code, hence the node: imports.
 *
 * The SAT files (vendor/sat) and the fixtures (test/fixtures) are part of the repository, so the
 * tests that need only them always run. In CI (CI=true) a missing tool is a failure, not a skip:
 * an oracle test that silently skips proves nothing. Locally the tool-dependent tests skip and
 * say which package to install.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
export const satDir = join(repoRoot, "vendor/sat/www.sat.gob.mx/sitio_internet/cfd");
export const cadenaXslt = join(satDir, "4/cadenaoriginal_4_0/cadenaoriginal_4_0.xslt");
export const tfdXslt = join(satDir, "TimbreFiscalDigital/cadenaoriginal_TFD_1_1.xslt");
export const fixturesDir = join(repoRoot, "test/fixtures");
export const csdFiles = {
  cer: join(fixturesDir, "csd/EKU9003173C9.cer"),
  key: join(fixturesDir, "csd/EKU9003173C9.key"),
  keyPem: join(fixturesDir, "csd/EKU9003173C9.key.pem"),
  password: readFileSync(join(fixturesDir, "csd/EKU9003173C9.password.txt"), "utf8").trim(),
};

const INSTALL = "apt-get install xsltproc libxml2-utils openssl";

export function hasTool(name: "xsltproc" | "xmllint" | "openssl"): boolean {
  const r = spawnSync(name, [name === "openssl" ? "version" : "--version"], { encoding: "utf8" });
  const ok = !r.error && r.status === 0;
  if (!ok && process.env.CI === "true")
    throw new Error(`${name} is required in CI for the SAT oracle tests (${INSTALL})`);
  if (!ok) console.warn(`[cfdi oracle] ${name} not found: oracle tests skipped locally. Install with: ${INSTALL}`);
  return ok;
}

export function tempDir(prefix = "cfdi-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function run(cmd: string, args: string[], input?: string): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    ...(input !== undefined ? { input } : {}),
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** Cadena per document via the SAT stylesheet, one xsltproc process per document. */
export function xsltprocCadena(xmlFile: string, xslt = cadenaXslt): string {
  const r = run("xsltproc", [xslt, xmlFile]);
  if (r.status !== 0) throw new Error(`xsltproc failed: ${r.stderr}`);
  return r.stdout;
}

/** One xsltproc process over many files: outputs are concatenated in order. */
export function xsltprocConcat(files: string[], xslt = cadenaXslt): string {
  const r = run("xsltproc", [xslt, ...files]);
  if (r.status !== 0) throw new Error(`xsltproc failed: ${r.stderr}`);
  return r.stdout;
}

export function writeDocs(dir: string, docs: string[], prefix = "doc"): string[] {
  return docs.map((d, i) => {
    const f = join(dir, `${prefix}-${String(i).padStart(4, "0")}.xml`);
    writeFileSync(f, d);
    return f;
  });
}

/** openssl dgst -sha256 -verify: true when openssl prints "Verified OK". */
export function opensslVerify(dir: string, certDer: Uint8Array, cadena: string, sigB64: string, tag = "x"): boolean {
  const cer = join(dir, `${tag}.cer`);
  const pub = join(dir, `${tag}.pub.pem`);
  const sig = join(dir, `${tag}.sig`);
  const data = join(dir, `${tag}.txt`);
  writeFileSync(cer, certDer);
  writeFileSync(sig, Buffer.from(sigB64, "base64"));
  writeFileSync(data, cadena);
  const k = run("openssl", ["x509", "-inform", "DER", "-in", cer, "-pubkey", "-noout", "-out", pub]);
  if (k.status !== 0) throw new Error(`openssl x509 failed: ${k.stderr}`);
  const r = run("openssl", ["dgst", "-sha256", "-verify", pub, "-signature", sig, data]);
  return r.status === 0 && r.stdout.includes("Verified OK");
}

export function openssl(args: string[], input?: string): string {
  const r = run("openssl", args, input);
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Copies cfdv40.xsd + tdCFDI.xsd to a temp tree and writes a permissive stand-in for catCFDI.xsd
 * (the SAT catalog schema is > 4 MiB and not in vendor/sat): every c_* type becomes xs:string, so
 * xmllint checks structure, patterns and data types while catalogs are checked in code.
 */
export function prepareSchema(dir: string): string {
  const cfd = join(dir, "cfd");
  cpSync(join(satDir, "4/cfdv40.xsd"), join(cfd, "4/cfdv40.xsd"));
  cpSync(join(satDir, "tipoDatos/tdCFDI/tdCFDI.xsd"), join(cfd, "tipoDatos/tdCFDI/tdCFDI.xsd"));
  writeCatalogStandIn(cfd, [join(satDir, "4/cfdv40.xsd")]);
  return join(cfd, "4/cfdv40.xsd");
}

/**
 * prepareSchema plus Pagos20.xsd (with its catPagos.xsd) and a driver schema importing both
 * namespaces: cfdi:Complemento is `xs:any` with strict processing, so xmllint needs the
 * complement's schema in the same validation.
 */
export function preparePagosSchema(dir: string): string {
  const cfd = join(dir, "cfd");
  prepareSchema(dir);
  cpSync(join(satDir, "Pagos/Pagos20.xsd"), join(cfd, "Pagos/Pagos20.xsd"));
  cpSync(join(satDir, "catalogos/Pagos/catPagos.xsd"), join(cfd, "catalogos/Pagos/catPagos.xsd"));
  writeCatalogStandIn(cfd, [join(satDir, "4/cfdv40.xsd"), join(satDir, "Pagos/Pagos20.xsd")]);
  const driver = join(cfd, "cfdi-pagos.xsd");
  writeFileSync(
    driver,
    `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.sat.gob.mx/cfd/4" schemaLocation="4/cfdv40.xsd"/>
  <xs:import namespace="http://www.sat.gob.mx/Pagos20" schemaLocation="Pagos/Pagos20.xsd"/>
</xs:schema>
`,
  );
  return driver;
}

function writeCatalogStandIn(cfd: string, schemas: string[]): void {
  const xsd = schemas.map((f) => readFileSync(f, "utf8")).join("\n");
  const types = [...new Set(xsd.match(/catCFDI:c_[A-Za-z_]+/g) ?? [])].map((t) => t.slice(8));
  const stand = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.sat.gob.mx/sitio_internet/cfd/catalogos" elementFormDefault="qualified">
${types.map((t) => `  <xs:simpleType name="${t}"><xs:restriction base="xs:string"><xs:whiteSpace value="collapse"/></xs:restriction></xs:simpleType>`).join("\n")}
</xs:schema>
`;
  mkdirSync(join(cfd, "catalogos"), { recursive: true });
  writeFileSync(join(cfd, "catalogos/catCFDI.xsd"), stand);
}

/** xmllint --schema over many files in one process; returns the failing files' messages. */
export function xmllintValidate(schema: string, files: string[]): { ok: boolean; output: string } {
  const r = run("xmllint", ["--noout", "--schema", schema, ...files]);
  return { ok: r.status === 0, output: r.stderr };
}

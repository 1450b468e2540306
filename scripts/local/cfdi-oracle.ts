// SAT's own tools as a local HTTP service for the suites that run inside workerd (which cannot
// start processes): `npm test` starts it, and the invoicing acceptance test asks it to check a
// stamped CFDI and its PDF the way an auditor would, with no code of ours in the loop:
//   POST /cfdi  {xml, pacCertificate}  → {cadena, selloValid, tfdCadena, selloSatValid}
//       xsltproc with SAT's cadena original XSLT (vendor/sat), openssl over the CFDI's own
//       Certificado (Sello) and over the PAC's certificate (base64 DER) for SelloSAT.
//   POST /pdf   (application/pdf body)  → {text, qr}
//       pdftotext -layout, and pdftoppm + zbarimg for the QR code on page 1.
// A tool that is missing answers 503 with its name (CI installs them: .ci/run).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./dev-state.ts";

const SAT_DIR = join(ROOT, "vendor/sat/www.sat.gob.mx/sitio_internet/cfd");
const CADENA_XSLT = join(SAT_DIR, "4/cadenaoriginal_4_0/cadenaoriginal_4_0.xslt");
const TFD_XSLT = join(SAT_DIR, "TimbreFiscalDigital/cadenaoriginal_TFD_1_1.xslt");
const MAX_BODY = 8 * 1024 * 1024;

export interface CfdiOracle {
  url: string;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[]): { ok: boolean; stdout: string; stderr: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { ok: !r.error && r.status === 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "", missing: Boolean(r.error) };
}

class MissingTool extends Error {}

function must(cmd: string, args: string[]): string {
  const r = run(cmd, args);
  if (r.missing) throw new MissingTool(cmd);
  if (!r.ok) throw new Error(`${cmd} failed: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

function verify(dir: string, tag: string, certDer: Buffer, cadena: string, signatureB64: string): boolean {
  const cer = join(dir, `${tag}.cer`);
  const pub = join(dir, `${tag}.pem`);
  writeFileSync(cer, certDer);
  writeFileSync(join(dir, `${tag}.sig`), Buffer.from(signatureB64, "base64"));
  writeFileSync(join(dir, `${tag}.txt`), cadena);
  must("openssl", ["x509", "-inform", "DER", "-in", cer, "-pubkey", "-noout", "-out", pub]);
  const r = run("openssl", [
    "dgst",
    "-sha256",
    "-verify",
    pub,
    "-signature",
    join(dir, `${tag}.sig`),
    join(dir, `${tag}.txt`),
  ]);
  if (r.missing) throw new MissingTool("openssl");
  return r.ok && r.stdout.includes("Verified OK");
}

function attribute(xml: string, element: string, name: string): string {
  const tag = new RegExp(`<${element}\\b[^>]*>`).exec(xml)?.[0] ?? "";
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? "";
}

function checkCfdi(dir: string, xml: string, pacCertificate: string) {
  const file = join(dir, "cfdi.xml");
  writeFileSync(file, xml);
  const cadena = must("xsltproc", [CADENA_XSLT, file]);
  const certificado = Buffer.from(attribute(xml, "cfdi:Comprobante", "Certificado"), "base64");
  const selloValid = verify(dir, "cfdi", certificado, cadena, attribute(xml, "cfdi:Comprobante", "Sello"));
  // SAT's TFD stylesheet applies to the timbre as its own document, which needs xsi declared.
  const element = /<tfd:TimbreFiscalDigital\b[^>]*\/>/.exec(xml)?.[0] ?? "";
  const tfd = element.includes("xmlns:xsi=")
    ? element
    : element.replace(
        "<tfd:TimbreFiscalDigital ",
        '<tfd:TimbreFiscalDigital xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
      );
  const tfdFile = join(dir, "tfd.xml");
  writeFileSync(tfdFile, `<?xml version="1.0" encoding="UTF-8"?>${tfd}`);
  const tfdCadena = must("xsltproc", [TFD_XSLT, tfdFile]);
  const selloSatValid = verify(
    dir,
    "tfd",
    Buffer.from(pacCertificate, "base64"),
    tfdCadena,
    attribute(tfd, "tfd:TimbreFiscalDigital", "SelloSAT"),
  );
  return { cadena, selloValid, tfdCadena, selloSatValid };
}

function checkPdf(dir: string, pdf: Buffer) {
  const file = join(dir, "cfdi.pdf");
  writeFileSync(file, pdf);
  const text = must("pdftotext", ["-layout", file, "-"]);
  must("pdftoppm", ["-r", "200", "-f", "1", "-l", "1", "-png", file, join(dir, "page")]);
  const png = ["page-1.png", "page-01.png", "page-001.png"].map((f) => join(dir, f));
  let qr = "";
  for (const p of png) {
    const r = run("zbarimg", ["-q", "--raw", p]);
    if (r.missing) throw new MissingTool("zbarimg");
    if (r.ok) {
      qr = r.stdout.trim();
      break;
    }
  }
  return { text, qr };
}

async function body(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

export async function startCfdiOracle(options: { port?: number } = {}): Promise<CfdiOracle> {
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await body(req);
      if (!raw) return send(res, 413, { error: "body too large" });
      const dir = mkdtempSync(join(tmpdir(), "cfdi-oracle-"));
      try {
        if (req.method === "POST" && req.url === "/cfdi") {
          const { xml, pacCertificate } = JSON.parse(raw.toString("utf8")) as { xml: string; pacCertificate: string };
          return send(res, 200, checkCfdi(dir, xml, pacCertificate));
        }
        if (req.method === "POST" && req.url === "/pdf") return send(res, 200, checkPdf(dir, raw));
        return send(res, 404, { error: "POST /cfdi or /pdf" });
      } catch (err) {
        if (err instanceof MissingTool) return send(res, 503, { error: `${err.message} is not installed` });
        return send(res, 400, { error: err instanceof Error ? err.message : String(err) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

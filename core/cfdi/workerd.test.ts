// The engine inside real workerd (the Cloudflare Workers runtime), not only in Node: bundle a tiny
// Worker with esbuild, serve it with the workerd binary from node_modules, and have it load the
// SAT CSD (PBKDF2 + 3DES), build, seal, verify and print an invoice, and verify the real fixture.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { csdFiles, fixturesDir, repoRoot, tempDir } from "./test/oracle.ts";

const esbuild = join(repoRoot, "node_modules/.bin/esbuild");
const workerd = join(repoRoot, "node_modules/.bin/workerd");
const available = existsSync(esbuild) && existsSync(workerd);

describe.skipIf(!available)("CFDI engine in workerd", () => {
  it("loads the CSD, seals, verifies and renders a PDF with web APIs only", async () => {
    const dir = tempDir("cfdi-workerd-");
    const b64 = (f: string) => readFileSync(f).toString("base64");
    writeFileSync(
      join(dir, "worker.ts"),
      `import { loadCsd, buildSignedCfdi, verifyCfdi, cadenaFromXml } from ${JSON.stringify(join(repoRoot, "core/cfdi/index.ts"))};
import { cfdiToPdf } from ${JSON.stringify(join(repoRoot, "core/cfdi/pdf.ts"))};
import { base64ToBytes } from ${JSON.stringify(join(repoRoot, "core/encoding/base64.ts"))};
import example from ${JSON.stringify(join(repoRoot, "examples/cfdi/factura.json"))};
export default {
  async fetch(req) {
    const csd = await loadCsd(base64ToBytes(${JSON.stringify(b64(csdFiles.cer))}), base64ToBytes(${JSON.stringify(b64(csdFiles.key))}), ${JSON.stringify(csdFiles.password)});
    const signed = await buildSignedCfdi(example, csd);
    const report = await verifyCfdi(signed.xml);
    const pdf = await cfdiToPdf(signed.xml);
    const third = await verifyCfdi(await req.text());
    return Response.json({ valid: report.valid, cadena: cadenaFromXml(signed.xml) === signed.cadenaOriginal, pdf: pdf.length, total: signed.comprobante.Total, third: third.valid, uuid: third.timbre?.uuid });
  },
};
`,
    );
    const bundle = spawnSync(
      esbuild,
      [
        join(dir, "worker.ts"),
        "--bundle",
        "--format=esm",
        "--platform=neutral",
        "--main-fields=module,main",
        `--outfile=${join(dir, "worker.js")}`,
        "--log-level=error",
      ],
      { encoding: "utf8" },
    );
    expect(bundle.stderr).toBe("");
    // The bundle must not pull Node built-ins: core/cfdi is web-standards only.
    expect(readFileSync(join(dir, "worker.js"), "utf8")).not.toMatch(/from\s+["']node:/);
    const port = 20000 + Math.floor(Math.random() * 20000);
    writeFileSync(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-01-01",
);
`,
    );
    const proc = spawn(workerd, ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    try {
      let res: Response | undefined;
      for (let i = 0; i < 150 && !res; i++) {
        await new Promise((r) => setTimeout(r, 100));
        res = await fetch(`http://127.0.0.1:${port}/`, {
          method: "POST",
          body: readFileSync(join(fixturesDir, "cfdi/cfdi40-real.xml"), "utf8"),
        }).catch(() => undefined);
      }
      expect(res, stderr).toBeDefined();
      expect(await res!.json()).toEqual({
        valid: true,
        cadena: true,
        pdf: expect.any(Number),
        total: "23395.99",
        third: true,
        uuid: "C2832671-DA6D-11EF-A83D-00155D012007",
      });
    } finally {
      proc.kill("SIGTERM");
    }
  }, 60_000);
});

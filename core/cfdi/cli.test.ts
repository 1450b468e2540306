// The CLI (scripts/cfdi.ts) as a user runs it on a fresh clone.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { csdFiles, fixturesDir, hasTool, repoRoot, tempDir, xsltprocCadena } from "./test/oracle.ts";

const node24 = join(repoRoot, "node_modules/.bin/node");
const nodeBin = existsSync(node24) ? node24 : process.execPath;
const cli = (...args: string[]) =>
  spawnSync(nodeBin, [join(repoRoot, "scripts/cfdi.ts"), ...args], { encoding: "utf8", cwd: repoRoot });

describe("cfdi CLI", () => {
  const real = join(fixturesDir, "cfdi/cfdi40-real.xml");

  it.skipIf(!hasTool("xsltproc"))("cadena prints exactly what xsltproc prints", () => {
    const r = cli("cadena", real);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(xsltprocCadena(real));
  });

  it("verify exits 0 for a valid CFDI and 1 for a tampered one", () => {
    const ok = cli("verify", real);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, selloValid: true });
    const bad = join(tempDir(), "bad.xml");
    writeFileSync(bad, readFileSync(real, "utf8").replace('Total="1000.00"', 'Total="1000.01"'));
    const r = cli("verify", bad);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).errors.map((e: { code: string }) => e.code)).toContain("SELLO_INVALID");
  });

  it("build signs the example invoice; the result verifies and renders as PDF", () => {
    const b = cli(
      "build",
      join(repoRoot, "examples/cfdi/factura.json"),
      "--cer",
      csdFiles.cer,
      "--key",
      csdFiles.key,
      "--password",
      csdFiles.password,
    );
    expect(b.stderr).toBe("");
    expect(b.status).toBe(0);
    const dir = tempDir();
    const xml = join(dir, "f.xml");
    writeFileSync(xml, b.stdout);
    expect(cli("verify", xml).status).toBe(0);
    const pdf = join(dir, "f.pdf");
    expect(cli("pdf", xml, "-o", pdf).status).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("gen-complement-rules reads the SAT stylesheets vendored in the repository by default", () => {
    const r = cli("gen-complement-rules");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(repoRoot, "core/cfdi/complement-rules.ts"), "utf8"));
  });

  it("reports validation errors as JSON (exit 2) and usage errors (exit 64)", () => {
    const dir = tempDir();
    const bad = join(dir, "bad.json");
    const input = JSON.parse(readFileSync(join(repoRoot, "examples/cfdi/factura.json"), "utf8"));
    input.receptor.usoCfdi = "D01";
    writeFileSync(bad, JSON.stringify(input));
    const r = cli("build", bad, "--cer", csdFiles.cer, "--key", csdFiles.key, "--password", csdFiles.password);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stderr).errors[0]).toMatchObject({ path: "receptor.usoCfdi", code: "USO_PERSONA" });
    const w = cli(
      "build",
      join(repoRoot, "examples/cfdi/factura.json"),
      "--cer",
      csdFiles.cer,
      "--key",
      csdFiles.key,
      "--password",
      "mala",
    );
    expect(w.status).toBe(2);
    expect(w.stderr).toContain("KEY_PASSWORD");
    expect(cli("nope").status).toBe(64);
  });
});

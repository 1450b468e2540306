import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { satVerificationUrl } from "./pdf.ts";
import type { QrCode } from "./qr.ts";
import { encodeQr, rsRemainder } from "./qr.ts";
import { tempDir } from "./test/oracle.ts";

function pbm(q: QrCode, scale = 4, quiet = 4): string {
  const n = (q.size + 2 * quiet) * scale;
  const rows: string[] = [];
  for (let y = 0; y < n; y++) {
    let r = "";
    for (let x = 0; x < n; x++) {
      const my = Math.floor(y / scale) - quiet;
      const mx = Math.floor(x / scale) - quiet;
      r += my >= 0 && my < q.size && mx >= 0 && mx < q.size && q.modules[my]?.[mx] ? "1 " : "0 ";
    }
    rows.push(r);
  }
  return `P1\n${n} ${n}\n${rows.join("\n")}\n`;
}

const zbar = !spawnSync("zbarimg", ["--version"]).error;
if (!zbar) console.warn("[cfdi] zbarimg not found: QR decode tests skipped (apt-get install zbar-tools)");

describe("QR encoder", () => {
  it("Reed–Solomon matches the ISO 18004 annex example (1-M, '01234567')", () => {
    // ISO/IEC 18004 Annex I: data codewords and the 10 EC codewords for version 1-M.
    const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
    const divisor = [0xd8, 0xc2, 0x9f, 0x6f, 0xc7, 0x5e, 0x5f, 0x71, 0x9d, 0xc1]; // x^10 generator, α-form converted
    expect(rsRemainder(data, divisor)).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  });

  it("picks the smallest version and keeps the finder patterns", () => {
    expect(encodeQr("a").version).toBe(1);
    const url = satVerificationUrl({
      uuid: "6F35D3B5-3651-5370-BC2C-14CDBE384CD7",
      rfcEmisor: "EKU9003173C9",
      rfcReceptor: "MCI7306249Y1",
      total: "3327.01",
      sello: "x".repeat(300) + "KklI5Q==",
    });
    const q = encodeQr(url);
    expect(q.size).toBe(q.version * 4 + 17);
    expect(q.modules[0]?.slice(0, 7)).toEqual([true, true, true, true, true, true, true]);
    expect(q.modules[1]?.slice(0, 7)).toEqual([true, false, false, false, false, false, true]);
  });

  it.skipIf(!zbar)("zbarimg decodes what it encodes (versions 1–15, UTF-8)", () => {
    const dir = tempDir("qr-");
    const texts = [
      "1",
      "hola",
      "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=6F35D3B5-3651-5370-BC2C-14CDBE384CD7&re=EKU9003173C9&rr=MCI7306249Y1&tt=3327.01&fe=KklI5Q==",
      "ñandú €".repeat(12),
    ];
    for (let n = 20; n <= 400; n += 38) texts.push("Z".repeat(n));
    const versions = new Set<number>();
    texts.forEach((t, i) => {
      const q = encodeQr(t);
      versions.add(q.version);
      const file = join(dir, `q${i}.pbm`);
      writeFileSync(file, pbm(q));
      const r = spawnSync("zbarimg", ["-q", "--raw", file], { encoding: "utf8" });
      expect(r.stdout.replace(/\n$/, ""), `version ${q.version}`).toBe(t);
    });
    expect(versions.size).toBeGreaterThan(8);
  });
});

describe("SAT verification URL", () => {
  it("drops non-significant zeros from tt and uses the last 8 characters of the sello", () => {
    const u = satVerificationUrl({
      uuid: "U",
      rfcEmisor: "A&A010101AAA",
      rfcReceptor: "XAXX010101000",
      total: "0001000.000000",
      sello: "abcdefghijKLMNOPQR==",
    });
    expect(u).toBe(
      "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=U&re=A%26A010101AAA&rr=XAXX010101000&tt=1000.0&fe=MNOPQR==",
    );
    expect(
      satVerificationUrl({ uuid: "U", rfcEmisor: "E", rfcReceptor: "R", total: "3327.01", sello: "12345678" }),
    ).toContain("&tt=3327.01&fe=12345678");
  });
});

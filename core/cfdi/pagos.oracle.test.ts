/**
 * Recibos de pago (CFDI tipo P, Pagos 2.0) against the SAT's own tools, on generated payments:
 * partial payments over several parcialidades, several related invoices per Pago, IVA 16 % / 8 %
 * / 0 % / exento with retenciones, foreign currencies with EquivalenciaDR and TipoCambioP. For each
 * document the cadena we sign equals `xsltproc cadenaoriginal_4_0.xslt` (which includes
 * Pagos20.xslt) byte for byte, `openssl` verifies the sello, `xmllint` validates against
 * cfdv40.xsd + Pagos20.xsd, and `verifyCfdi` accepts it. A seeded PRNG makes failures reproducible
 * (`CFDI_PAGOS_RUNS`, `CFDI_PAGOS_SEED`).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Decimal } from "../money/decimal.ts";
import { add, compare, divide, formatDecimal, mul, parseDecimal, roundHalfUp, sub } from "../money/decimal.ts";
import { cadenaFromXml } from "./cadena.ts";
import type { Csd } from "./csd.ts";
import { loadCsd } from "./csd.ts";
import { CfdiError } from "./errors.ts";
import { buildSignedPago } from "./pagos.ts";
import type { DoctoRelacionadoInput, PagoComprobanteInput, PagoInput } from "./pagos-input.ts";
import { verifyCfdi } from "./verify.ts";
import {
  csdFiles,
  hasTool,
  preparePagosSchema,
  tempDir,
  writeDocs,
  xmllintValidate,
  xsltprocCadena,
  xsltprocConcat,
} from "./test/oracle.ts";

const RUNS = Number(process.env.CFDI_PAGOS_RUNS ?? 300);
const SEED = Number(process.env.CFDI_PAGOS_SEED ?? 20260214);
const enabled = hasTool("xsltproc") && hasTool("openssl") && hasTool("xmllint");

/** mulberry32: small, seeded, good enough to spread test cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = { int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean };

function rand(seed: number): Rand {
  const r = prng(seed);
  return {
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(r() * xs.length)]!,
    chance: (p) => r() < p,
  };
}

const DECIMALS: Record<string, number> = { MXN: 2, USD: 2, EUR: 2, JPY: 0 };

function money(r: Rand, moneda: string, lo: number, hi: number): Decimal {
  const dec = DECIMALS[moneda]!;
  return { units: BigInt(r.int(lo, hi)) * 10n ** BigInt(dec) + BigInt(dec ? r.int(0, 10 ** dec - 1) : 0), scale: dec };
}

function uuid(r: Rand): string {
  const hex = (n: number) => Array.from({ length: n }, () => "0123456789abcdefABCDEF"[r.int(0, 21)]).join("");
  return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
}

type TaxProfile = {
  traslados: { impuesto: string; tipoFactor: string; tasa?: string }[];
  retenciones: { impuesto: string; tasa: string }[];
};

const PROFILES: readonly (TaxProfile | null)[] = [
  { traslados: [{ impuesto: "002", tipoFactor: "Tasa", tasa: "0.16" }], retenciones: [] },
  { traslados: [{ impuesto: "002", tipoFactor: "Tasa", tasa: "0.16" }], retenciones: [] },
  { traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasa: "0.080000" }], retenciones: [] },
  { traslados: [{ impuesto: "002", tipoFactor: "Exento" }], retenciones: [] },
  { traslados: [{ impuesto: "002", tipoFactor: "Tasa", tasa: "0" }], retenciones: [] },
  {
    traslados: [{ impuesto: "002", tipoFactor: "Tasa", tasa: "0.16" }],
    retenciones: [
      { impuesto: "002", tasa: "0.106667" },
      { impuesto: "001", tasa: "0.10" },
    ],
  },
  {
    traslados: [
      { impuesto: "002", tipoFactor: "Tasa", tasa: "0.16" },
      { impuesto: "003", tipoFactor: "Tasa", tasa: "0.08" },
    ],
    retenciones: [{ impuesto: "ISR", tasa: "0.0125" }],
  },
  null, // objetoImpDR 01/03/04: no taxes
];

/** One related invoice: its total from a base and the profile, then a partial-payment history. */
function docto(r: Rand, monedaP: string): DoctoRelacionadoInput & { pagoEnP?: Decimal } {
  const monedaDR = r.chance(0.7) ? monedaP : r.pick(["MXN", "USD", "EUR", "JPY"].filter((m) => m !== monedaP));
  const dec = DECIMALS[monedaDR]!;
  const profile = r.pick(PROFILES);
  const base = money(r, monedaDR, 1, r.chance(0.2) ? 999_999 : 20_000);
  let total = base;
  const traslados = (profile?.traslados ?? []).map((t) => {
    if (t.tasa) total = add(total, roundHalfUp(mul(base, parseDecimal(t.tasa)), dec));
    return {
      impuesto: t.impuesto,
      tipoFactor: t.tipoFactor,
      ...(t.tasa ? { tasaOCuota: t.tasa } : {}),
      base: formatDecimal(base),
    };
  });
  const retenciones = (profile?.retenciones ?? []).map((t) => {
    total = sub(total, roundHalfUp(mul(base, parseDecimal(t.tasa)), dec));
    return { impuesto: t.impuesto, tipoFactor: "Tasa", tasaOCuota: t.tasa, base: formatDecimal(base) };
  });
  // Earlier parcialidades already paid part of it.
  const parcialidad = r.int(1, r.chance(0.3) ? 24 : 6);
  let saldo = total;
  for (let k = 1; k < parcialidad && saldo.units > 1n; k++) {
    const paid = { units: BigInt(Math.max(1, Math.floor((Number(saldo.units) * r.int(1, 40)) / 100))), scale: dec };
    saldo = sub(saldo, paid);
  }
  const pagarTodo = r.chance(0.3);
  const impPagado = pagarTodo
    ? saldo
    : { units: BigInt(Math.max(1, Math.floor((Number(saldo.units) * r.int(1, 100)) / 100))), scale: dec };
  const sameCurrency = monedaDR === monedaP;
  const equivalencia = sameCurrency
    ? undefined
    : `${r.int(0, 30)}.${String(r.int(1, 9_999_999_999)).padStart(10, "0").slice(0, r.int(1, 10))}`;
  const d: DoctoRelacionadoInput = {
    idDocumento: uuid(r),
    ...(r.chance(0.5) ? { serie: r.pick(["A", "FAC", "MSI  2025", "F&amp;<"]) } : {}),
    ...(r.chance(0.5) ? { folio: String(r.int(1, 99999)) } : {}),
    ...(sameCurrency && r.chance(0.3) ? {} : { monedaDR }),
    ...(equivalencia ? { equivalenciaDR: equivalencia } : sameCurrency && r.chance(0.3) ? { equivalenciaDR: "1" } : {}),
    numParcialidad: r.chance(0.5) ? parcialidad : String(parcialidad),
    impSaldoAnt: formatDecimal(saldo),
    objetoImpDR: profile ? "02" : r.pick(["01", "03", "04"]),
    ...(profile ? { totalDocumento: formatDecimal(total), traslados, retenciones } : {}),
  };
  if (!sameCurrency && r.chance(0.4) && equivalencia && parseDecimal(equivalencia).units > 0n) {
    // Amount stated in the payment currency; the engine converts it (rounded half up).
    const e = parseDecimal(equivalencia);
    const enP = divide(impPagado, e, DECIMALS[monedaP]!);
    const back = roundHalfUp(mul(enP, e), dec);
    if (enP.units > 0n && back.units > 0n && compare(back, saldo) <= 0)
      return { ...d, pagadoEnMonedaP: formatDecimal(enP) };
  }
  return { ...d, impPagado: formatDecimal(impPagado) };
}

function pago(r: Rand, i: number): PagoInput {
  const monedaP = r.chance(0.6) ? "MXN" : r.pick(["USD", "EUR", "JPY"]);
  const n = r.int(1, r.chance(0.2) ? 8 : 3);
  const doctos = Array.from({ length: n }, () => docto(r, monedaP)).filter(
    (d) => !(d.equivalenciaDR && parseDecimal(String(d.equivalenciaDR)).units === 0n),
  );
  if (!doctos.length) return pago(r, i);
  return {
    fechaPago: `2025-0${r.int(1, 9)}-1${r.int(0, 9)}T${String(r.int(0, 23)).padStart(2, "0")}:00:00`,
    formaDePagoP: r.pick(["01", "02", "03", "04", "28"]),
    ...(monedaP === "MXN" && r.chance(0.5) ? {} : { monedaP }),
    ...(monedaP === "MXN"
      ? r.chance(0.3)
        ? { tipoCambioP: "1" }
        : {}
      : { tipoCambioP: `${r.int(0, 25)}.${r.int(1, 999999)}` }),
    ...(r.chance(0.5) ? { numOperacion: r.pick(["SPEI 0001", "  ref\tcon  espacios ", "Ñ&<>\"'", String(i)]) } : {}),
    ...(r.chance(0.2) ? { ctaOrdenante: "0123456789", rfcEmisorCtaOrd: "BSM970519DU8" } : {}),
    ...(r.chance(0.2) ? { ctaBeneficiario: "ABC_0123456789", rfcEmisorCtaBen: "BBA830831LJ2" } : {}),
    doctosRelacionados: doctos,
  };
}

function generate(r: Rand, i: number): PagoComprobanteInput {
  return {
    fecha: "2025-10-01T09:00:00",
    lugarExpedicion: "42501",
    ...(r.chance(0.5) ? { serie: "REP", folio: String(i) } : {}),
    emisor: { rfc: "EKU9003173C9", nombre: "ESCUELA KEMPER URGATE", regimenFiscal: "601" },
    receptor: r.pick([
      { rfc: "URE180429TM6", nombre: "UNIVERSIDAD ROBOTICA ESPAÑOLA", domicilioFiscal: "86991", regimenFiscal: "601" },
      { rfc: "XAXX010101000", nombre: "PUBLICO EN GENERAL", domicilioFiscal: "42501", regimenFiscal: "616" },
      {
        rfc: "MASO451221PM4",
        nombre: "  MARIA  OLIVIA & CIA ",
        domicilioFiscal: "80290",
        regimenFiscal: "612",
        usoCfdi: "CP01",
      },
    ]),
    ...(r.chance(0.1) ? { cfdiRelacionados: [{ tipoRelacion: "04", uuids: [uuid(r)] }] } : {}),
    pagos: Array.from({ length: r.int(1, r.chance(0.2) ? 4 : 2) }, (_, k) => pago(r, k)),
  };
}

type Doc = { xml: string; cadena: string; sello: string };

describe.skipIf(!enabled)(`generated recibos de pago vs SAT oracles (${RUNS} documents)`, () => {
  let csd: Csd;
  const docs: Doc[] = [];
  let dir = "";
  let files: string[] = [];
  let pagos = 0;
  let doctos = 0;

  beforeAll(async () => {
    csd = await loadCsd(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
    const r = rand(SEED);
    for (let i = 0; i < RUNS; i++) {
      const input = generate(r, i);
      try {
        const s = await buildSignedPago(input, csd);
        docs.push({ xml: s.xml, cadena: s.cadenaOriginal, sello: s.comprobante.Sello as string });
        pagos += s.pagos.Pago.length;
        doctos += s.pagos.Pago.reduce((n, p) => n + p.DoctosRelacionados.length, 0);
      } catch (e) {
        if (e instanceof CfdiError)
          throw new Error(`generated input ${i} rejected: ${e.message}\n${JSON.stringify(input, null, 1)}`);
        throw e;
      }
    }
    dir = tempDir("cfdi-pagos-");
    files = writeDocs(
      dir,
      docs.map((d) => d.xml),
      "rep",
    );
  });

  it("every generated payment builds, covering many Pagos and related documents", () => {
    expect(docs).toHaveLength(RUNS);
    expect(pagos).toBeGreaterThan(RUNS);
    expect(doctos).toBeGreaterThan(pagos);
  });

  it("the cadena we sign equals xsltproc on cadenaoriginal_4_0.xslt (with Pagos20.xslt)", () => {
    const ours = docs.map((d) => d.cadena).join("");
    const theirs = xsltprocConcat(files);
    if (ours !== theirs)
      docs.forEach((d, i) => expect(d.cadena, `document ${files[i]}`).toBe(xsltprocCadena(files[i] as string)));
    expect(ours).toBe(theirs);
    for (const d of docs) expect(cadenaFromXml(d.xml)).toBe(d.cadena);
  });

  it("openssl verifies every sello", () => {
    const pub = join(dir, "pub.pem");
    writeFileSync(join(dir, "cert.der"), csd.certificate.der);
    spawnSync("openssl", ["x509", "-inform", "DER", "-in", join(dir, "cert.der"), "-pubkey", "-noout", "-out", pub]);
    docs.forEach((d, i) => {
      writeFileSync(join(dir, `c${i}.txt`), d.cadena);
      writeFileSync(join(dir, `s${i}.sig`), Buffer.from(d.sello, "base64"));
    });
    const script = `ok=0; for i in $(seq 0 ${docs.length - 1}); do openssl dgst -sha256 -verify "${pub}" -signature "${dir}/s$i.sig" "${dir}/c$i.txt" >/dev/null 2>&1 && ok=$((ok+1)) || echo "FAIL $i"; done; echo "OK $ok"`;
    const out = spawnSync("bash", ["-c", script], { encoding: "utf8" }).stdout;
    expect(out.split("\n").filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(out).toContain(`OK ${docs.length}`);
  });

  it("xmllint validates every document against cfdv40.xsd + Pagos20.xsd (catalog types stubbed)", () => {
    const schema = preparePagosSchema(tempDir("cfdi-pagos-xsd-"));
    const res = xmllintValidate(schema, files);
    expect(res.output.split("\n").filter((l) => l && !l.endsWith(" validates"))).toEqual([]);
    expect(res.ok).toBe(true);
  });

  it("verifyCfdi accepts every document", async () => {
    for (const d of docs) {
      const v = await verifyCfdi(d.xml);
      expect(v.errors).toEqual([]);
      expect(v.warnings).toEqual([]);
      expect(v.valid).toBe(true);
      expect(v.cadenaOriginal ?? d.cadena).toBe(d.cadena);
    }
  });
});

// `npm run -s cfdi -- <command>`: the CFDI 4.0 engine from the command line.
//
//   cadena <file.xml> [--tfd]          cadena original (exact bytes) on stdout; --tfd: of the TimbreFiscalDigital
//   verify <file.xml>                  JSON report; exit 0 only when the Sello is valid
//   build <invoice.json> --cer <file.cer> --key <file.key> --password <pw> [-o out.xml]
//                                      signed XML on stdout (input format: core/cfdi/README.md)
//   pdf <file.xml> -o out.pdf          printable representation (needs a stamped or at least sealed CFDI)
import { readFileSync, writeFileSync } from "node:fs";
import { buildSignedCfdi } from "../core/cfdi/build.ts";
import { cadenaFromXml } from "../core/cfdi/cadena.ts";
import { loadCsd } from "../core/cfdi/csd.ts";
import { CfdiError } from "../core/cfdi/errors.ts";
import { cfdiToPdf } from "../core/cfdi/pdf.ts";
import { cadenaTfdFromXml } from "../core/cfdi/tfd.ts";
import { verifyCfdi } from "../core/cfdi/verify.ts";
import { compileStylesheet } from "../core/cfdi/xslt-subset.ts";
import { createHash } from "node:crypto";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const USAGE = `uso:
  npm run -s cfdi -- cadena <archivo.xml> [--tfd]
  npm run -s cfdi -- verify <archivo.xml>
  npm run -s cfdi -- build <factura.json> --cer <archivo.cer> --key <archivo.key> --password <contraseña> [-o salida.xml]
  npm run -s cfdi -- pdf <archivo.xml> -o salida.pdf`;

function parseArgs(argv: string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--tfd") flags.set("tfd", true);
    else if (a.startsWith("--") || a === "-o") {
      const name = a === "-o" ? "o" : a.slice(2);
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`falta el valor de ${a}`);
      flags.set(name, v);
      i++;
    } else positional.push(a);
  }
  return { positional, flags };
}

class UsageError extends Error {}

function flag(flags: Map<string, string | true>, name: string): string {
  const v = flags.get(name);
  if (typeof v !== "string") throw new UsageError(`falta --${name}`);
  return v;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, flags } = parseArgs(rest);
  const file = positional[0];
  switch (command) {
    case "cadena": {
      if (!file) throw new UsageError("indique el archivo XML");
      const xml = readFileSync(file, "utf8");
      process.stdout.write(flags.has("tfd") ? cadenaTfdFromXml(xml) : cadenaFromXml(xml));
      return 0;
    }
    case "verify": {
      if (!file) throw new UsageError("indique el archivo XML");
      const report = await verifyCfdi(readFileSync(file, "utf8"));
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.valid ? 0 : 1;
    }
    case "build": {
      if (!file) throw new UsageError("indique el archivo JSON de la factura");
      const input = JSON.parse(readFileSync(file, "utf8"));
      const password = flags.has("password-file")
        ? readFileSync(flag(flags, "password-file"), "utf8").trim()
        : flag(flags, "password");
      const csd = await loadCsd(readFileSync(flag(flags, "cer")), readFileSync(flag(flags, "key")), password);
      const { xml } = await buildSignedCfdi(input, csd);
      if (flags.has("o")) writeFileSync(flag(flags, "o"), xml);
      else process.stdout.write(xml);
      return 0;
    }
    case "pdf": {
      if (!file) throw new UsageError("indique el archivo XML");
      const out = flag(flags, "o");
      writeFileSync(out, await cfdiToPdf(readFileSync(file, "utf8")));
      return 0;
    }
    case "gen-complement-rules": {
      // Development: compile the complement stylesheets included by the SAT cadena XSLT into
      // core/cfdi/complement-rules.ts (a test keeps that file in sync with vendor/sat).
      process.stdout.write(`${generateComplementRules(file ?? VENDORED_CFD)}`);
      return 0;
    }
    default:
      throw new UsageError(command ? `comando desconocido: ${command}` : "indique un comando");
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The SAT files kept in the repository (vendor/sat/README.md says where they come from). */
export const VENDORED_CFD = join(ROOT, "vendor/sat/www.sat.gob.mx/sitio_internet/cfd");

/** Source of core/cfdi/complement-rules.ts for the SAT tree at `cfdDir` (…/sitio_internet/cfd). */
export function generateComplementRules(cfdDir: string): string {
  const mainFile = "4/cadenaoriginal_4_0/cadenaoriginal_4_0.xslt";
  const main = readFileSync(join(cfdDir, mainFile), "utf8");
  const includes = [...main.matchAll(/<xsl:include href="\.\.\/\.\.\/([^"]+)"/g)]
    .map((m) => m[1] as string)
    .filter((f) => !f.includes("utilerias"));
  const rules: Record<string, unknown> = {};
  // The digest pins the exact bytes compiled, so the header names the versions, not only the paths.
  const digest = createHash("sha256").update(main);
  for (const f of includes) {
    const text = readFileSync(join(cfdDir, f), "utf8");
    digest.update(text);
    for (const [k, v] of Object.entries(compileStylesheet(text))) {
      if (k in rules) throw new Error(`template for ${k} defined twice (${f})`);
      rules[k] = v;
    }
  }
  const from = relative(ROOT, cfdDir).split(sep).join("/");
  return `// Generated by \`npm run -s cfdi -- gen-complement-rules > core/cfdi/complement-rules.ts\` from the
// SAT stylesheets in ${from}/: the ${includes.length} complements (COMPLEMENT_SOURCES) that
// ${mainFile} includes. SHA-256 of that file and those, in order:
// ${digest.digest("hex")}
// Do not edit: complement-rules.test.ts fails when this file and those stylesheets disagree.
import type { Rules } from "./xslt-subset.ts";

export const COMPLEMENT_SOURCES: readonly string[] = ${JSON.stringify(includes)};

export const COMPLEMENT_RULES: Rules = ${JSON.stringify(rules)};
`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`${e.message}\n${USAGE}\n`);
        process.exit(64);
      }
      if (e instanceof CfdiError) {
        process.stderr.write(`${JSON.stringify({ errors: e.issues }, null, 2)}\n`);
        process.exit(2);
      }
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );

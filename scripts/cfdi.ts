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
      const password = flags.has("password-file") ? readFileSync(flag(flags, "password-file"), "utf8").trim() : flag(flags, "password");
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
    default:
      throw new UsageError(command ? `comando desconocido: ${command}` : "indique un comando");
  }
}

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

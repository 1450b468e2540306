// What a benchmark ran on, printed with its numbers.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../../scripts/local/dev-state.ts";

function packageVersion(name: string): string {
  try {
    const file = path.join(ROOT, "node_modules", name, "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

export function machineLines(): string[] {
  const cpus = os.cpus();
  return [
    `CPU       ${cpus[0]?.model ?? "?"} × ${cpus.length} (load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})`,
    `memory    ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
    `node      ${process.version} (load generator)`,
    `wrangler  ${packageVersion("wrangler")}, workerd ${packageVersion("workerd")}`,
  ];
}

// bench/bare-worker (Hono, one route) under the same wrangler as the app, on a free port. Run from
// its own folder with its own config, so it sees none of the app's .dev.vars, bindings or state.
import path from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "../../scripts/local/free-port.ts";
import { ROOT } from "../../scripts/local/dev-state.ts";
import { spawnPiped, stopChild, toolEnv, waitUntilServing } from "./process.ts";

export interface BareWorker {
  url: string;
  /** Its wrangler's process, when this process started it. */
  pid?: number | undefined;
  stop(): Promise<void>;
}

export async function startBareWorker(): Promise<BareWorker> {
  const dir = path.join(ROOT, "bench", "bare-worker");
  const port = await freePort();
  const child = spawnPiped(
    process.execPath,
    [
      // As scripts/start.ts runs the app: wrangler's API without the inspector, same log level.
      path.join(ROOT, "scripts", "local", "wrangler-dev.ts"),
      "--config",
      path.join(dir, "wrangler.jsonc"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    {
      cwd: dir,
      // As scripts/start.ts runs the app's wrangler.
      env: toolEnv({
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_HIDE_BANNER: "true",
        WRANGLER_WRITE_LOGS: "false", // as scripts/start.ts
      }),
    },
  );
  const output: string[] = [];
  const keep = (line: string) => {
    output.push(line);
    if (output.length > 40) output.shift();
  };
  createInterface({ input: child.stdout! }).on("line", keep);
  createInterface({ input: child.stderr! }).on("line", keep);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(`${url}/`, child, 120_000, "the bare worker's wrangler dev");
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}\n${output.join("\n")}`);
  }
  return { url, pid: child.pid, stop: () => stopChild(child) };
}

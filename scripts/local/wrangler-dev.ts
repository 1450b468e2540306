// `wrangler dev` for npm start and the benchmarks, through wrangler's own API (`unstable_startWorker`)
// instead of its CLI, for one setting the CLI does not offer: running WITHOUT the DevTools inspector.
//
// Why: the CLI always attaches its inspector proxy to the Worker's isolate and enables the
// DevTools Runtime domain, so every console.log (our one JSON line per request) is also serialized
// into a DevTools event and sent over a WebSocket to be dropped. Measured on this 2-core VM with wrk
// at 16 connections: GET /healthz 310–370 req/s with the inspector, 460–520 without; the log lines
// reach stdout either way. `--inspector-port N` (or CRM_INSPECT=1 in npm start) turns it back on for
// debugging in chrome://inspect.
//
//   node scripts/local/wrangler-dev.ts --config wrangler.jsonc --ip 127.0.0.1 --port 8787
//        [--env-file .dev.vars] [--persist-to DIR] [--test-scheduled] [--inspector-port N]
//
// Prints wrangler's usual output; exits 1 if the Worker cannot start, 0 after SIGINT/SIGTERM.
import path from "node:path";
import { parseArgs } from "node:util";
import { unstable_startWorker } from "wrangler";

const { values } = parseArgs({
  options: {
    config: { type: "string", default: "wrangler.jsonc" },
    ip: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    "env-file": { type: "string" },
    "persist-to": { type: "string" },
    "test-scheduled": { type: "boolean", default: false },
    "inspector-port": { type: "string" },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) throw new Error("--port is required");
const inspectorPort = values["inspector-port"] === undefined ? undefined : Number(values["inspector-port"]);

// wrangler's declarations take this input from a types package it does not ship (it resolves to
// `any`), so the shape is spelled out here; the options are those of `wrangler dev`.
interface StartInput {
  config: string;
  envFiles?: string[];
  dev: {
    server: { hostname: string; port: number };
    inspector: false | { hostname: string; port: number };
    testScheduled: boolean;
    logLevel: "log";
    watch: boolean;
    persist: string;
  };
}
const input: StartInput = {
  config: values.config,
  ...(values["env-file"] ? { envFiles: [values["env-file"]] } : {}),
  dev: {
    server: { hostname: values.ip, port },
    inspector: inspectorPort === undefined ? false : { hostname: values.ip, port: inspectorPort },
    testScheduled: values["test-scheduled"],
    logLevel: "log",
    watch: true,
    // The CLI's default: local state (Durable Objects, R2, queues) beside the config, kept across runs.
    persist: values["persist-to"] ?? path.join(path.dirname(path.resolve(values.config)), ".wrangler", "state"),
  },
};

let worker: Awaited<ReturnType<typeof unstable_startWorker>> | undefined;
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await worker?.dispose().catch(() => {});
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  worker = await unstable_startWorker(input);
  await worker.ready;
} catch (err) {
  console.error(`wrangler dev failed to start: ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
}

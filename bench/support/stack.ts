// The app's local stack for a benchmark: either started here (scripts/start.ts, as `npm start`
// does, in its own state directory and on free ports, so a running `npm start` is left alone), or
// one already running (`--url`, keys and state from .local/dev).
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "../../scripts/local/free-port.ts";
import { ROOT, readKeys, readState, type DevKeys, type DevState } from "../../scripts/local/dev-state.ts";
import { spawnPiped, stopChild, toolEnv } from "./process.ts";

/** The `data` of the app's one log line per request (workers/middleware/request-context.ts). */
export interface RequestLogData {
  method?: string;
  route?: string;
  status?: number;
  rateLimit?: { ip?: { ms?: number }; user?: { ms?: number } };
  timings?: Record<string, number>;
  /** A WhatsApp webhook's outcome (workers/whatsapp/webhooks/receive-delivery.ts). */
  whatsapp?: { stored?: number; duplicates?: number; refused?: string };
}

export interface RequestLogEntry {
  requestId?: string;
  message?: string;
  data?: RequestLogData;
}

export interface Stack {
  url: string;
  /** What the stack says its database is (`Database` in start.ts's banner). */
  database: string;
  keys: DevKeys;
  state: DevState;
  /** True when this process started the stack (and so reads its request log). */
  owned: boolean;
  /** The stack's root process (scripts/start.ts), when this process started it. */
  pid?: number | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** `CRM_LOCAL_DATABASE` for scripts/start.ts: postgres falls back to PGlite when its binaries are missing. */
  database?: "postgres" | "pglite";
  /** Every request log line the Worker prints. */
  onRequestLog?: (entry: RequestLogEntry) => void;
  /** The Worker's LOG_LEVEL (scripts/start.ts passes it on); info by default, as `npm start`. */
  logLevel?: string | undefined;
}

const READY = "Zuclubit Smart CRM is running";

export async function startStack(options: StartOptions = {}): Promise<Stack> {
  const port = await freePort();
  const devDir = mkdtempSync(path.join(tmpdir(), "crm-bench-"));
  const child = spawnPiped(process.execPath, [path.join(ROOT, "scripts", "start.ts")], {
    cwd: ROOT,
    env: toolEnv({
      PORT: String(port),
      CRM_DEV_DIR: devDir,
      ...(options.database ? { CRM_LOCAL_DATABASE: options.database } : {}),
      ...(options.logLevel ? { LOG_LEVEL: options.logLevel } : {}),
    }),
  });
  const cleanUp = async () => {
    await stopChild(child); // scripts/start.ts stops wrangler and the services on SIGTERM
    rmSync(devDir, { recursive: true, force: true });
  };
  try {
    const database = await untilReady(child, options.onRequestLog);
    const keys = readKeys(devDir);
    const state = readState(devDir);
    if (!keys || !state) throw new Error(`the stack wrote no keys/state in ${devDir}`);
    return { url: `http://127.0.0.1:${port}`, database, keys, state, owned: true, pid: child.pid, stop: cleanUp };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

function untilReady(child: ChildProcess, onRequestLog: StartOptions["onRequestLog"]): Promise<string> {
  const recent: string[] = [];
  let database = "unknown";
  let ready = false;
  let banner = false;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the stack was not ready in 180 s:\n${recent.join("\n")}`)),
      180_000,
    );
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!ready) {
        recent.push(line);
        if (recent.length > 40) recent.shift();
        // The banner: the ready line, then the Database line, …, and "Ctrl-C stops everything" last.
        if (line.includes(READY)) banner = true;
        const db = banner ? /^\s+Database\s+(.+)$/.exec(line) : null;
        if (db?.[1]) database = db[1].trim();
        if (banner && line.includes("Ctrl-C stops everything")) {
          ready = true;
          clearTimeout(timer);
          resolve(database);
        }
      }
      if (!onRequestLog) return;
      const i = line.indexOf('{"timestamp"');
      if (i < 0) return;
      try {
        const entry = JSON.parse(line.slice(i)) as RequestLogEntry;
        if (entry.message === "request") onRequestLog(entry);
      } catch {
        // not a log line
      }
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (!ready) recent.push(line);
      if (/error/i.test(line)) console.error(`[stack] ${line}`);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the local stack exited (${code}) before it was ready:\n${recent.join("\n")}`));
    });
  });
}

/** A stack started elsewhere (`npm start`): its keys and state from .local/dev. */
export function runningStack(url: string): Stack {
  const keys = readKeys();
  const state = readState();
  if (!keys || !state) throw new Error("no .local/dev keys/state: run `npm start` once (or omit --url)");
  return { url, database: "as the running stack has it", keys, state, owned: false, stop: async () => {} };
}

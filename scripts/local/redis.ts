// Local redis-server launcher: a real Redis on loopback in a temp dir, no persistence.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findExecutable, freePort, registerCleanup, waitForTcp } from "./free-port.ts";

export const REDIS_INSTALL_HINT = "sudo apt-get install -y redis-server";

/** Path of the redis-server binary (env REDIS_SERVER overrides PATH), or null when it is not installed. */
export function findRedisServer(): string | null {
  // An explicit $REDIS_SERVER is authoritative: when it names no file, the server counts as missing.
  const fromEnv = process.env.REDIS_SERVER;
  if (fromEnv) return fs.existsSync(fromEnv) ? fromEnv : null;
  return findExecutable("redis-server");
}

export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Waits for a child to exit; SIGKILLs it after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      child.kill("SIGTERM");
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

export async function startRedis(opts: { port?: number } = {}): Promise<LocalRedis> {
  const bin = findRedisServer();
  if (!bin) {
    throw new Error(`redis-server not found on PATH; install it with: ${REDIS_INSTALL_HINT}`);
  }
  // A free port can be taken between probing and binding; retry with a fresh one in that case.
  const attempts = opts.port ? 1 : 3;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOnce(bin, port);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(bin: string, port: number): Promise<LocalRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-redis-"));
  const args = [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--dir", dir,
    "--save", "",
    "--appendonly", "no",
    "--daemonize", "no",
    "--protected-mode", "yes",
    "--logfile", "",
    "--loglevel", "notice",
  ];
  const child = spawn(bin, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let spawnError: Error | null = null;
  child.on("error", (err) => {
    spawnError = err;
  });

  const cleanupSync = () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill("SIGKILL");
      } catch {
        // ignore
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const unregister = registerCleanup(cleanupSync);

  const alive = () => spawnError === null && child.exitCode === null && child.signalCode === null;
  try {
    // The log line (not just an open port) proves that *this* process owns the port.
    const deadline = Date.now() + 10_000;
    while (!/Ready to accept connections/.test(output)) {
      if (!alive()) throw new Error("process exited");
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitForTcp("127.0.0.1", port, 5_000, alive);
  } catch (err) {
    cleanupSync();
    unregister();
    throw new Error(
      `redis-server failed to start on 127.0.0.1:${port}: ${(spawnError as Error | null)?.message ?? (err as Error).message}\n${output}`,
    );
  }

  let stopped: Promise<void> | null = null;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop() {
      stopped ??= (async () => {
        await stopChild(child);
        fs.rmSync(dir, { recursive: true, force: true });
        unregister();
      })();
      return stopped;
    },
  };
}

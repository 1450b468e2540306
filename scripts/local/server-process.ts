// Runs a local server binary (redis-server, nats-server) in its own temp dir on loopback: wait for
// the line that says it is ready (proof that THIS process owns the port, not just that a port is
// open), clean up on any failure, on process exit/signals, and on stop().
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { registerCleanup, waitForTcp } from "./free-port.ts";

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

export interface ServerProcessOptions {
  /** For messages: "redis-server". */
  name: string;
  /** For messages: "127.0.0.1:6379". */
  address: string;
  bin: string;
  args: string[];
  /** The temp dir it runs in; removed when it stops. */
  dir: string;
  ready: RegExp;
  readyTimeoutMs: number;
  /** Loopback ports that must accept connections before it counts as started. */
  ports: number[];
}

export async function startServerProcess(opts: ServerProcessOptions): Promise<{ stop(): Promise<void> }> {
  const child = spawn(opts.bin, opts.args, { cwd: opts.dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-8000);
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
    fs.rmSync(opts.dir, { recursive: true, force: true });
  };
  const unregister = registerCleanup(cleanupSync);
  const alive = () => spawnError === null && child.exitCode === null && child.signalCode === null;

  try {
    const deadline = Date.now() + opts.readyTimeoutMs;
    while (!opts.ready.test(output)) {
      if (!alive()) throw new Error("process exited");
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const port of opts.ports) await waitForTcp("127.0.0.1", port, 5_000, alive);
  } catch (err) {
    cleanupSync();
    unregister();
    throw new Error(
      `${opts.name} failed to start on ${opts.address}: ${(spawnError as Error | null)?.message ?? (err as Error).message}\n${output}`,
    );
  }

  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        await stopChild(child);
        fs.rmSync(opts.dir, { recursive: true, force: true });
        unregister();
      })();
      return stopped;
    },
  };
}

// Child processes the benchmarks start (the local stack, a bare Worker) and how they end.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import path from "node:path";
import { ROOT } from "../../scripts/local/dev-state.ts";

/** The environment for wrangler's bin: it runs on `node` from PATH, so the project's pinned Node goes first, as under `npm run`. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.join(ROOT, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    ...extra,
  };
}

export function spawnPiped(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (or given up on). */
export function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
      resolve();
    }, graceMs);
    timer.unref();
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Polls `url` until it answers 2xx; rejects when `child` exits first or after `timeoutMs`. */
export async function waitUntilServing(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before it answered`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Small helpers shared by the local service launchers (redis.ts, nats.ts, upstash-rest.ts).
import net from "node:net";
import fs from "node:fs";
import path from "node:path";

/** Asks the OS for a currently free TCP port on `host` (loopback by default). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** Resolves once a TCP connection to host:port succeeds; rejects after `timeoutMs`. */
export async function waitForTcp(
  host: string,
  port: number,
  timeoutMs = 10_000,
  isAlive?: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host, port });
      const done = (v: boolean) => {
        sock.removeAllListeners();
        sock.on("error", () => {});
        sock.destroy();
        resolve(v);
      };
      sock.once("connect", () => done(true));
      sock.once("error", () => done(false));
      sock.setTimeout(500, () => done(false));
    });
    if (ok) return;
    if (isAlive && !isAlive()) throw new Error(`process exited before ${host}:${port} accepted connections`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Looks for an executable named `name` on PATH and in the usual sbin/bin directories. */
export function findExecutable(name: string): string | null {
  const dirs = [
    ...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean),
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
  ];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

// ---- process-exit cleanup registry -------------------------------------------------------------
// Launchers register a synchronous cleanup (kill child, remove temp dir) that runs on normal exit
// and on SIGINT/SIGTERM, so an interrupted test run leaves no servers or temp dirs behind.

const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const fn of [...cleanups]) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // best effort
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  // If nobody else handles the signal, behave like the default: die by it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Registers a synchronous cleanup; returns a function that unregisters it. */
export function registerCleanup(fn: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on("exit", runAll);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

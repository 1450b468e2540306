// Local redis-server launcher: a real Redis on loopback in a temp dir, no persistence.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findExecutable, freePort } from "./free-port.ts";
import { startServerProcess } from "./server-process.ts";

export { stopChild } from "./server-process.ts";

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
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
    "--logfile",
    "",
    "--loglevel",
    "notice",
  ];
  // The log line (not just an open port) proves that *this* process owns the port.
  const server = await startServerProcess({
    name: "redis-server",
    address: `127.0.0.1:${port}`,
    bin,
    args,
    dir,
    ready: /Ready to accept connections/,
    readyTimeoutMs: 10_000,
    ports: [port],
  });
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => server.stop() };
}

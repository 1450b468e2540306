// Local nats-server launcher: JetStream (store in a temp dir) plus a plain websocket listener, on loopback.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findExecutable, freePort } from "./free-port.ts";
import { startServerProcess } from "./server-process.ts";

export const NATS_INSTALL_HINT = "sudo apt-get install -y nats-server";

/** Path of the nats-server binary (env NATS_SERVER overrides PATH), or null when it is not installed. */
export function findNatsServer(): string | null {
  // An explicit $NATS_SERVER is authoritative: when it names no file, the server counts as missing.
  const fromEnv = process.env.NATS_SERVER;
  if (fromEnv) return fs.existsSync(fromEnv) ? fromEnv : null;
  return findExecutable("nats-server");
}

export interface LocalNats {
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export async function startNats(opts: { port?: number; wsPort?: number } = {}): Promise<LocalNats> {
  const bin = findNatsServer();
  if (!bin) {
    throw new Error(`nats-server not found on PATH; install it with: ${NATS_INSTALL_HINT}`);
  }
  const fixed = opts.port !== undefined && opts.wsPort !== undefined;
  const attempts = fixed ? 1 : 3;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = opts.port ?? (await freePort());
    let wsPort = opts.wsPort ?? (await freePort());
    while (wsPort === port) wsPort = await freePort();
    try {
      return await startOnce(bin, port, wsPort);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(bin: string, port: number, wsPort: number): Promise<LocalNats> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-nats-"));
  const storeDir = path.join(dir, "jetstream");
  const conf = path.join(dir, "nats.conf");
  fs.writeFileSync(
    conf,
    [
      `server_name: crm_local_${port}`,
      `host: "127.0.0.1"`,
      `port: ${port}`,
      `jetstream {`,
      `  store_dir: ${JSON.stringify(storeDir)}`,
      `  max_memory_store: 256MB`,
      `  max_file_store: 1GB`,
      `}`,
      `websocket {`,
      `  host: "127.0.0.1"`,
      `  port: ${wsPort}`,
      `  no_tls: true`,
      `}`,
      ``,
    ].join("\n"),
  );
  // "Server is ready" is logged after the client, websocket and JetStream listeners are up.
  const server = await startServerProcess({
    name: "nats-server",
    address: `127.0.0.1:${port} (ws ${wsPort})`,
    bin,
    args: ["-c", conf, "-js"],
    dir,
    ready: /Server is ready/,
    readyTimeoutMs: 15_000,
    ports: [port, wsPort],
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    stop: () => server.stop(),
  };
}

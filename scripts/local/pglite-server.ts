// Embedded Postgres for `npm start`: a file-backed PGlite served over TCP by @electric-sql/pglite-socket.
//
// IMPORTANT for callers:
// - PGlite has ONE backend shared by every socket connection and ignores the login role/password in
//   the startup message: everyone is the superuser `postgres`. Row-level security is therefore only
//   exercised if every unit of work runs `SET LOCAL ROLE <app role>` (and
//   `set_config('app.tenant_id', …, true)`) INSIDE its transaction. Session-level `SET` leaks to
//   other connections; use only `SET LOCAL` / `set_config(…, true)`.
// - Only one transaction runs at a time: while a connection has a transaction open, other
//   connections' statements wait until it commits/rolls back (or the connection closes → ROLLBACK).
// - The database name in the URL is informational; PGlite serves a single database.
//
// We use pglite-socket's per-connection handler (startup/SSL/cancel handling, message framing) with
// our own query queue. pglite-socket 0.2.17's queue schedules single protocol messages and relies on
// PGlite's transaction state to keep one client's Parse/Bind/Execute/Sync together; ours groups a
// connection's messages into units ending at Sync/Query/Flush (or any other non extended-protocol
// message) and runs each unit atomically, so that never depends on backend internals. While a
// transaction is open only its owner's units run; a client that disconnects mid-transaction is
// rolled back. Terminate messages are not passed to PGlite (its one backend must stay up).
// (A 300-query mixed-statement stress over 5 connections passed with both queues.)
import { createServer, type Server, type Socket } from "node:net";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket";

export type { PGlite };

// Extended-protocol messages that never end a unit: Parse, Bind, Describe, Execute, Close, CopyData.
const MID_UNIT = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x64]);
const TERMINATE = 0x58;

interface Unit {
  handlerId: number;
  messages: Uint8Array[];
  onData: (data: Uint8Array) => void;
  resolve: (n: number) => void;
  reject: (e: unknown) => void;
}

/** Drop-in for pglite-socket's QueryQueueManager that schedules whole protocol units. */
class UnitQueue {
  private queue: Unit[] = [];
  private pending = new Map<number, Uint8Array[]>();
  private processing = false;
  private owner: number | null = null;
  private db: PGlite;

  constructor(db: PGlite) {
    this.db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const isStartup =
      message.length >= 8 &&
      new DataView(message.buffer, message.byteOffset, message.byteLength).getInt32(0) === message.length &&
      new DataView(message.buffer, message.byteOffset, message.byteLength).getInt32(4) === 196608;
    const type = isStartup ? -1 : message[0]!;
    if (type === TERMINATE) {
      // The client is leaving; the handler's close/detach rolls back any open transaction.
      this.pending.delete(handlerId);
      return Promise.resolve(0);
    }
    if (MID_UNIT.has(type)) {
      let p = this.pending.get(handlerId);
      if (!p) this.pending.set(handlerId, (p = []));
      p.push(message);
      return Promise.resolve(0);
    }
    const messages = [...(this.pending.get(handlerId) ?? []), message];
    this.pending.delete(handlerId);
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ handlerId, messages, onData, resolve, reject });
      void this.processQueue();
    });
  }

  private async processQueue(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        let unit: Unit | undefined;
        if (this.owner !== null && this.db.isInTransaction()) {
          const i = this.queue.findIndex((u) => u.handlerId === this.owner);
          if (i === -1) break; // wait for the transaction owner's next unit
          unit = this.queue.splice(i, 1)[0];
        } else {
          unit = this.queue.shift();
        }
        if (!unit) break;
        let bytes = 0;
        try {
          await this.db.runExclusive(async () => {
            for (const m of unit.messages) {
              await this.db.execProtocolRawStream(m, {
                onRawData: (d: Uint8Array) => {
                  bytes += d.length;
                  unit.onData(d);
                },
              });
            }
          });
          this.owner = unit.handlerId;
          unit.resolve(bytes);
        } catch (e) {
          this.owner = unit.handlerId;
          unit.reject(e);
        }
      }
    } finally {
      this.processing = false;
    }
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.pending.delete(handlerId);
    this.queue = this.queue.filter((u) => {
      if (u.handlerId !== handlerId) return true;
      u.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner === handlerId && this.db.isInTransaction()) {
      await this.db.runExclusive(() => this.db.exec("ROLLBACK"));
    }
    if (this.owner === handlerId) this.owner = null;
    await this.processQueue();
  }
}

export async function startPgliteServer(opts: {
  dataDir: string;
  port: number;
  maxConnections?: number;
  host?: string;
}): Promise<{ url: string; db: PGlite; port: number; stop(): Promise<void> }> {
  mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: opts.dataDir });
  const queue = new UnitQueue(db);
  const maxConnections = opts.maxConnections ?? 10;
  const host = opts.host ?? "127.0.0.1";
  const handlers = new Set<PGLiteSocketHandler>();

  const server: Server = createServer((socket: Socket) => {
    if (handlers.size >= maxConnections) {
      // Same wire behaviour as pglite-socket: refuse beyond maxConnections.
      socket.end("Too many connections\n");
      return;
    }
    const handler = new PGLiteSocketHandler({
      // Structurally identical to pglite-socket's QueryQueueManager (its private fields aside).
      queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]["queryQueue"],
      closeOnDetach: true,
    });
    handlers.add(handler);
    const drop = () => handlers.delete(handler);
    handler.addEventListener("close", drop);
    handler.addEventListener("error", drop);
    handler.attach(socket).catch(() => {
      drop();
      socket.destroy();
    });
  });
  server.maxConnections = maxConnections;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;

  let stopped = false;
  return {
    url: `postgresql://postgres:postgres@${host}:${port}/postgres`,
    db,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([...handlers].map((h) => h.detach(true).catch(() => {})));
      handlers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}

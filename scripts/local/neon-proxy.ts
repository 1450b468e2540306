// A local stand-in for Neon's proxy, so the REAL `@neondatabase/serverless` driver talks to a local
// Postgres (the PG15 temp cluster or the PGlite socket server) unchanged. ONE HTTP server, one port:
//
// (1) Neon's HTTP SQL protocol — `POST /sql`, as the driver's `neon()` sends it:
//       headers  Neon-Connection-String (postgresql://user:pass@host:port/db?…; loopback hosts only),
//                Neon-Raw-Text-Output ("true": values as Postgres text, the driver parses them),
//                Neon-Array-Mode ("true": rows as arrays), and for transaction() batches
//                Neon-Batch-Isolation-Level (ReadUncommitted|ReadCommitted|RepeatableRead|Serializable),
//                Neon-Batch-Read-Only, Neon-Batch-Deferrable ("true"/"false").
//       body     {query, params} → {command, rowCount, rows, fields:[{name, tableID, columnID,
//                dataTypeID, dataTypeSize, dataTypeModifier, format}], rowAsArray}
//                {queries:[{query, params}, …]} → {results:[…same…]} — run in ONE transaction on one
//                pg client (BEGIN with the requested isolation/read-only/deferrable, COMMIT; ROLLBACK on
//                any error, so the whole batch is undone).
//       errors   Postgres errors → HTTP 400 with {message, severity, code, detail, hint, position, …}
//                (the driver turns that into a NeonDbError carrying .code etc.). Bad requests → 400
//                {message}. Anything else → 500 text.
//     Each statement is sent with the extended protocol (like Neon), so one `query` is one statement.
//     node `pg` pools per connection string (max `poolMax`, default 5; idle clients closed after 2 s —
//     keep poolMax + the app's WebSocket pools under the PGlite server's maxConnections).
//
// (2) WebSocket-to-TCP bridge for the driver's Pool/Client: `GET /v2?address=HOST:PORT` (upgrade).
//     Configure the driver with
//       neonConfig.wsProxy = (host, port) => `127.0.0.1:PORT/v2?address=${host}:${port}`
//       neonConfig.useSecureWebSocket = false; neonConfig.pipelineTLS = false;
//       neonConfig.pipelineConnect = false;   (the local servers want SCRAM or no auth, not cleartext)
//     Binary frames are piped both ways. The TCP side is ended when the client sends the Postgres
//     Terminate message ('X') and when the WebSocket closes; the WebSocket is closed when TCP closes.
//     (The driver calls ws.close() right after writing Terminate, and with coalesceWrites the
//     Terminate frame is often never sent, so closing on WS close is what really matters.)
//
// (3) Round-trip accounting — `GET /__stats` → {httpRequests, httpQueries, wsConnections, wsMessages},
//     `POST /__stats/reset` zeroes them (and returns the zeroed stats).
//       httpRequests  = POST /sql requests received (single query or batch, success or error) —
//                       each one is exactly one database round trip for the caller.
//       httpQueries   = statements carried by those requests (1 per single query, N per batch).
//       wsConnections = WebSocket upgrades accepted on /v2.
//       wsMessages    = WebSocket messages received from clients. The driver coalesces everything it
//                       writes in one tick into one message, so this is the number of client→server
//                       flights: connecting costs 3 against the PG cluster (startup + 2 SCRAM
//                       messages) or 1 against PGlite (no auth), then 1 per
//                       pool.query / client.query (BEGIN and COMMIT are one each). A message that
//                       is only the Terminate ('X', sent or not depending on timing, see above) is
//                       not counted: it gets no reply, so it is no round trip.
//     Requests to /__stats themselves are not counted.
//
// Hook: `onQuery` receives {kind, user, database, query, ms, error?} per statement / ws connection;
// passwords are never passed to it or logged.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import pg from "pg";
import { WebSocketServer, type WebSocket } from "ws";

export interface NeonProxyStats {
  httpRequests: number;
  httpQueries: number;
  wsConnections: number;
  wsMessages: number;
}

export interface NeonProxyQueryEvent {
  kind: "http" | "http-batch" | "ws";
  user: string;
  database: string;
  target: string;
  query?: string;
  ms?: number;
  error?: string;
}

export interface NeonProxy {
  url: string;
  fetchEndpoint: string;
  wsProxy: string;
  port: number;
  stats(): NeonProxyStats;
  resetStats(): void;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]", "0:0:0:0:0:0:0:1"]);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK.has(h) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h.endsWith(".localhost");
}

class BadRequest extends Error {}

interface Target {
  key: string;
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  /** `application_name` of the connection string: lets a test count only its own round trips. */
  tag: string | undefined;
}

function parseConnectionString(cs: string | undefined): Target {
  if (!cs) throw new BadRequest("missing Neon-Connection-String header");
  let u: URL;
  try {
    const proto = cs.slice(0, cs.indexOf(":") + 1);
    if (proto !== "postgres:" && proto !== "postgresql:") throw new Error("scheme");
    u = new URL("http:" + cs.slice(proto.length));
  } catch {
    throw new BadRequest("Neon-Connection-String is not a valid postgresql:// URL");
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (!isLoopbackHost(host)) throw new BadRequest(`host ${u.hostname} is not allowed (loopback only)`);
  const port = u.port ? Number(u.port) : 5432;
  const user = decodeURIComponent(u.username);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || user;
  if (!user) throw new BadRequest("Neon-Connection-String has no user");
  const tag = u.searchParams.get("application_name") ?? undefined;
  return { key: JSON.stringify([host, port, user, password, database]), host, port, user, password, database, tag };
}

const ISOLATION: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

function beginStatement(h: IncomingMessage["headers"]): string {
  let sql = "BEGIN";
  const iso = header(h, "neon-batch-isolation-level");
  if (iso !== undefined) {
    const level = ISOLATION[iso];
    if (!level) throw new BadRequest(`invalid Neon-Batch-Isolation-Level: ${iso}`);
    sql += ` ISOLATION LEVEL ${level}`;
  }
  const ro = header(h, "neon-batch-read-only");
  if (ro !== undefined) sql += ro === "true" ? " READ ONLY" : " READ WRITE";
  const def = header(h, "neon-batch-deferrable");
  if (def !== undefined) sql += def === "true" ? " DEFERRABLE" : " NOT DEFERRABLE";
  return sql;
}

function header(h: IncomingMessage["headers"], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

const PG_ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

function isPgError(e: unknown): e is pg.DatabaseError {
  return (
    e instanceof pg.DatabaseError ||
    (typeof e === "object" &&
      e !== null &&
      typeof (e as { code?: unknown }).code === "string" &&
      /^[0-9A-Z]{5}$/.test((e as { code: string }).code))
  );
}

function pgErrorBody(e: pg.DatabaseError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: e.message };
  for (const f of PG_ERROR_FIELDS) {
    const v = (e as unknown as Record<string, unknown>)[f];
    if (v !== undefined && v !== null) body[f] = v;
  }
  return body;
}

const rawTypes = { getTypeParser: () => (v: string) => v };

interface QueryInput {
  query: string;
  params?: unknown[];
}

function checkQuery(q: unknown): QueryInput {
  if (typeof q !== "object" || q === null || typeof (q as QueryInput).query !== "string")
    throw new BadRequest("each query must be an object {query: string, params?: array}");
  const p = (q as QueryInput).params;
  if (p !== undefined && !Array.isArray(p)) throw new BadRequest("params must be an array");
  return q as QueryInput;
}

function shapeResult(r: pg.QueryResult, rawText: boolean, arrayMode: boolean) {
  const fields = (r.fields ?? []).map((f) => ({
    name: f.name,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeID: f.dataTypeID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: f.format ?? "text",
  }));
  let rows: unknown[] = r.rows as unknown[];
  if (!arrayMode) {
    rows = (r.rows as unknown[][]).map((row) => Object.fromEntries(fields.map((f, i) => [f.name, row[i]])));
  }
  void rawText;
  return { command: r.command, rowCount: r.rowCount, rows, fields, rowAsArray: arrayMode };
}

function zeroStats(): NeonProxyStats {
  return { httpRequests: 0, httpQueries: 0, wsConnections: 0, wsMessages: 0 };
}

/** Reads one parameter of a Postgres StartupMessage (int32 len, int32 protocol, key\0value\0…\0). */
export function startupParameter(buf: Buffer, name: string): string | undefined {
  if (buf.length < 8 || buf.readInt32BE(4) !== 196608) return undefined;
  const end = Math.min(buf.readInt32BE(0), buf.length);
  const parts = buf.subarray(8, end).toString("utf8").split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i] === name) return parts[i + 1];
  return undefined;
}

export async function startNeonProxy(opts: {
  port: number;
  host?: string;
  /** max pg connections per connection string for HTTP /sql (default 5) */
  poolMax?: number;
  onQuery?: (e: NeonProxyQueryEvent) => void;
}): Promise<NeonProxy> {
  const host = opts.host ?? "127.0.0.1";
  const stats: NeonProxyStats = zeroStats();
  const tagged = new Map<string, NeonProxyStats>();
  const pools = new Map<string, pg.Pool>();
  const bridges = new Set<{ ws: WebSocket; tcp: net.Socket }>();
  const emit = (e: NeonProxyQueryEvent) => {
    try {
      opts.onQuery?.(e);
    } catch {
      // a logging hook must never break a query
    }
  };

  function poolFor(t: Target): pg.Pool {
    let p = pools.get(t.key);
    if (!p) {
      p = new pg.Pool({
        host: t.host,
        port: t.port,
        user: t.user,
        password: t.password,
        database: t.database,
        max: opts.poolMax ?? 5,
        idleTimeoutMillis: 2_000,
        allowExitOnIdle: true,
        application_name: "neon-proxy",
      });
      p.on("error", () => {
        // idle client died (server restart); the pool drops it
      });
      pools.set(t.key, p);
    }
    return p;
  }

  async function runOne(client: pg.Pool | pg.PoolClient, q: QueryInput, rawText: boolean, arrayMode: boolean) {
    const config: pg.QueryConfig & { queryMode?: string; rowMode?: string; types?: unknown } = {
      text: q.query,
      values: (q.params ?? []) as unknown[],
      rowMode: "array",
      queryMode: "extended",
    };
    if (rawText) config.types = rawTypes;
    const r = await client.query(config as pg.QueryArrayConfig);
    return shapeResult(r as unknown as pg.QueryResult, rawText, arrayMode);
  }

  async function handleSql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.httpRequests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      throw new BadRequest("request body is not valid JSON");
    }
    const target = parseConnectionString(header(req.headers, "neon-connection-string"));
    const tagStats = statsFor(target.tag);
    if (tagStats) tagStats.httpRequests++;
    const rawText = header(req.headers, "neon-raw-text-output") === "true";
    const arrayMode = header(req.headers, "neon-array-mode") === "true";
    const pool = poolFor(target);
    const base = { user: target.user, database: target.database, target: `${target.host}:${target.port}` };

    if (typeof body === "object" && body !== null && Array.isArray((body as { queries?: unknown }).queries)) {
      const queries = (body as { queries: unknown[] }).queries.map(checkQuery);
      stats.httpQueries += queries.length;
      if (tagStats) tagStats.httpQueries += queries.length;
      const begin = beginStatement(req.headers);
      const client = await pool.connect();
      let broken: Error | undefined;
      const results: unknown[] = [];
      const t0 = Date.now();
      try {
        await client.query(begin);
        for (const q of queries) {
          const t = Date.now();
          try {
            results.push(await runOne(client, q, rawText, arrayMode));
            emit({ kind: "http-batch", ...base, query: q.query, ms: Date.now() - t });
          } catch (e) {
            emit({ kind: "http-batch", ...base, query: q.query, ms: Date.now() - t, error: (e as Error).message });
            throw e;
          }
        }
        await client.query("COMMIT");
      } catch (e) {
        try {
          await client.query("ROLLBACK");
        } catch (rb) {
          broken = rb as Error;
        }
        throw e;
      } finally {
        client.release(broken);
        void t0;
      }
      sendJson(res, 200, { results });
      return;
    }

    const q = checkQuery(body);
    stats.httpQueries++;
    if (tagStats) tagStats.httpQueries++;
    const t = Date.now();
    try {
      const result = await runOne(pool, q, rawText, arrayMode);
      emit({ kind: "http", ...base, query: q.query, ms: Date.now() - t });
      sendJson(res, 200, result);
    } catch (e) {
      emit({ kind: "http", ...base, query: q.query, ms: Date.now() - t, error: (e as Error).message });
      throw e;
    }
  }

  function sendJson(res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "POST" && path === "/sql") {
      handleSql(req, res).catch((e: unknown) => {
        if (res.headersSent) return res.destroy();
        if (e instanceof BadRequest) return sendJson(res, 400, { message: e.message });
        if (isPgError(e)) return sendJson(res, 400, pgErrorBody(e));
        const msg = e instanceof Error ? e.message : String(e);
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`neon-proxy: ${msg}`);
      });
      return;
    }
    if (req.method === "GET" && path === "/__stats") {
      const tag = new URL(req.url ?? "/", "http://x").searchParams.get("tag");
      if (tag) return sendJson(res, 200, { ...(tagged.get(tag) ?? zeroStats()) });
      return sendJson(res, 200, { ...stats });
    }
    if (req.method === "POST" && path === "/__stats/reset") {
      resetStats();
      return sendJson(res, 200, { ...stats });
    }
    if (req.method === "GET" && (path === "/" || path === "/health")) return sendJson(res, 200, { ok: true });
    sendJson(res, 404, { message: `no route for ${req.method} ${path}` });
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://x");
    const reject = (status: number, msg: string) => {
      socket.end(`HTTP/1.1 ${status} ${msg}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== "/v2" && url.pathname !== "/v2/") return reject(404, "Not Found");
    const address = url.searchParams.get("address") ?? "";
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
    if (!m) return reject(400, "Bad Request");
    const tHost = m[1]!.replace(/^\[|\]$/g, "");
    const tPort = Number(m[2]);
    if (!isLoopbackHost(tHost) || tPort <= 0 || tPort > 65535) return reject(403, "Forbidden");
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, tHost, tPort));
  });

  function bridge(ws: WebSocket, tHost: string, tPort: number) {
    stats.wsConnections++;
    const tcp = net.connect({ host: tHost, port: tPort });
    tcp.setNoDelay(true);
    const entry = { ws, tcp };
    bridges.add(entry);
    const parser = new FrontendParser();
    emit({ kind: "ws", user: "", database: "", target: `${tHost}:${tPort}` });

    let tagStats: NeonProxyStats | undefined;
    let first = true;
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (first) {
        first = false;
        tagStats = statsFor(startupParameter(buf, "application_name"));
        if (tagStats) tagStats.wsConnections++;
      }
      // A lone Terminate gets no reply, so it is not a round trip: not counted.
      if (!(buf.length === 5 && buf[0] === 0x58 && buf.readInt32BE(1) === 4)) {
        stats.wsMessages++;
        if (tagStats) tagStats.wsMessages++;
      }
      if (tcp.destroyed || !tcp.writable) return;
      const terminated = parser.push(buf);
      tcp.write(buf);
      if (terminated) tcp.end();
    });
    ws.on("close", () => {
      bridges.delete(entry);
      if (!tcp.destroyed) {
        tcp.end();
        setTimeout(() => tcp.destroy(), 1_000).unref();
      }
    });
    ws.on("error", () => {
      tcp.destroy();
    });
    tcp.on("data", (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    });
    tcp.on("close", () => {
      bridges.delete(entry);
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
    });
    tcp.on("error", () => {
      if (ws.readyState === ws.OPEN) ws.close(1011, "upstream error");
    });
  }

  function statsFor(tag: string | undefined): NeonProxyStats | undefined {
    if (!tag) return undefined;
    let entry = tagged.get(tag);
    if (!entry) {
      // Bounded: tags are per test; old ones are dropped first.
      if (tagged.size >= 10_000) tagged.delete(tagged.keys().next().value as string);
      entry = zeroStats();
      tagged.set(tag, entry);
    }
    return entry;
  }

  function resetStats() {
    tagged.clear();
    stats.httpRequests = 0;
    stats.httpQueries = 0;
    stats.wsConnections = 0;
    stats.wsMessages = 0;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const hostPart = host.includes(":") ? `[${host}]` : host;

  let stopped = false;
  return {
    url: `http://${hostPart}:${port}`,
    fetchEndpoint: `http://${hostPart}:${port}/sql`,
    wsProxy: `${hostPart}:${port}/v2`,
    port,
    stats: () => ({ ...stats }),
    resetStats,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Close bridges gracefully (clients see a clean 1001 close, not an error), then force.
      const open = [...bridges];
      await Promise.all(
        open.map(
          ({ ws, tcp }) =>
            new Promise<void>((resolve) => {
              const t = setTimeout(() => {
                ws.terminate();
                tcp.destroy();
                resolve();
              }, 1_000);
              ws.once("close", () => {
                clearTimeout(t);
                tcp.destroy();
                resolve();
              });
              if (ws.readyState === ws.OPEN) ws.close(1001, "proxy stopping");
              else if (ws.readyState === ws.CLOSED) ws.emit("close");
            }),
        ),
      );
      bridges.clear();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([...pools.values()].map((p) => p.end().catch(() => {})));
      pools.clear();
    },
  };
}

/** Incremental parser of the frontend (client→server) Postgres stream; reports the Terminate message. */
class FrontendParser {
  private buf: Buffer = Buffer.alloc(0);
  private startup = true;

  /** Returns true once a Terminate ('X') message has been seen. */
  push(chunk: Buffer): boolean {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.startup) {
        if (this.buf.length < 8) return false;
        const len = this.buf.readInt32BE(0);
        const code = this.buf.readInt32BE(4);
        if (len < 8) return false;
        if (this.buf.length < len) return false;
        this.buf = this.buf.subarray(len);
        // SSLRequest / GSSENCRequest are followed by another startup-phase message
        if (code !== 80877103 && code !== 80877104) this.startup = false;
        if (code === 80877102) return false; // CancelRequest: connection carries nothing else
        continue;
      }
      if (this.buf.length < 5) return false;
      const type = this.buf[0];
      const len = this.buf.readInt32BE(1);
      if (this.buf.length < 1 + len) return false;
      this.buf = this.buf.subarray(1 + len);
      if (type === 0x58) return true;
    }
  }
}

// Local stand-in for Upstash's Redis REST API, in front of a real Redis, so `@upstash/redis` and
// `@upstash/ratelimit` run unmodified against it. Protocol (https://upstash.com/docs/redis/features/restapi):
//   POST /               body: one command as a JSON array          -> {result} | 400 {error}
//   POST /pipeline       body: array of commands (not atomic)        -> [{result}|{error}, ...]
//   POST /multi-exec     body: array of commands (MULTI/EXEC)        -> [{result}|{error}, ...] | 400 {error}
//   GET|POST /cmd/a/b    path style; a POST body is appended as the last argument, query params
//                        (except _token) as trailing `KEY value` pairs
//   Auth: `Authorization: Bearer <token>` or `?_token=`; otherwise 401 {error}.
//   `Upstash-Encoding: base64`: every string in the result is base64 (the top-level "OK" status stays "OK").
// Redis 7.0 rejects script shebang flags it does not know (Upstash's `allow-key-locking`); EVAL,
// EVAL_RO, EVALSHA, EVALSHA_RO, SCRIPT LOAD and SCRIPT EXISTS translate them and map
// sha1(original) -> sha1(translated), so a client's EVALSHA of the original text works.
import http from "node:http";
import net from "node:net";
import crypto from "node:crypto";

// ---- minimal RESP client ------------------------------------------------------------------------

/** A RESP simple-string reply (`+OK`), kept apart from bulk strings for Upstash's "OK" rule. */
export class SimpleString {
  value: string;
  constructor(value: string) {
    this.value = value;
  }
}

/** A RESP error reply. */
export class RespError {
  message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export type Reply = Buffer | SimpleString | RespError | number | bigint | boolean | null | Reply[];

type Parsed = { value: Reply; pos: number } | undefined;

function findCRLF(buf: Buffer, from: number): number {
  const i = buf.indexOf("\r\n", from, "latin1");
  return i;
}

/** Parses one RESP2/RESP3 value at `pos`; undefined when the buffer does not hold it completely. */
export function parseReply(buf: Buffer, pos: number): Parsed {
  if (pos >= buf.length) return undefined;
  const type = String.fromCharCode(buf[pos]!);
  const eol = findCRLF(buf, pos + 1);
  if (eol < 0) return undefined;
  const line = buf.toString("utf8", pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case "+":
      return { value: new SimpleString(line), pos: next };
    case "-":
      return { value: new RespError(line), pos: next };
    case ":": {
      const n = Number(line);
      return { value: Number.isSafeInteger(n) ? n : BigInt(line), pos: next };
    }
    case ",": {
      const n = line === "inf" ? Infinity : line === "-inf" ? -Infinity : Number(line);
      return { value: n, pos: next };
    }
    case "(":
      return { value: BigInt(line), pos: next };
    case "#":
      return { value: line === "t", pos: next };
    case "_":
      return { value: null, pos: next };
    case "$":
    case "=":
    case "!": {
      const len = Number(line);
      if (len < 0) return { value: null, pos: next };
      if (buf.length < next + len + 2) return undefined;
      let data = buf.subarray(next, next + len);
      if (type === "=") data = data.subarray(4); // verbatim: "txt:" prefix
      const value = type === "!" ? new RespError(data.toString("utf8")) : Buffer.from(data);
      return { value, pos: next + len + 2 };
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      const n = Number(line);
      if (n < 0) return { value: null, pos: next };
      const count = type === "%" || type === "|" ? n * 2 : n;
      const items: Reply[] = [];
      let p = next;
      for (let i = 0; i < count; i++) {
        const r = parseReply(buf, p);
        if (!r) return undefined;
        items.push(r.value);
        p = r.pos;
      }
      if (type === "|") return parseReply(buf, p); // attributes precede the real reply
      return { value: items, pos: p };
    }
    default:
      throw new Error(`RESP protocol error: unexpected type byte ${JSON.stringify(type)}`);
  }
}

export type Arg = string | number | Buffer;

export function encodeCommand(args: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), "utf8");
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

/** One Redis connection; replies are matched to requests in order (pipelining supported). */
export class RespConnection {
  socket: net.Socket;
  pending: Pending[] = [];
  chunks: Buffer[] = [];
  buffered = 0;
  closed = false;
  closeError: Error | null = null;
  /** Set when a command changed connection state (SELECT, MULTI, ...): do not reuse it. */
  dirty = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (d: Buffer) => this.onData(d));
    const fail = (err: Error) => {
      if (this.closed) return;
      this.closed = true;
      this.closeError = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    socket.on("error", (err) => fail(err));
    socket.on("close", () => fail(new Error("redis connection closed")));
  }

  static connect(host: string, port: number, timeoutMs = 5000): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out connecting to redis at ${host}:${port}`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new RespConnection(socket));
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    let pos = 0;
    for (;;) {
      let r: Parsed;
      try {
        r = parseReply(buf, pos);
      } catch (err) {
        this.socket.destroy(err as Error);
        return;
      }
      if (!r) break;
      const isPush = buf[pos] === 0x3e; // '>': RESP3 out-of-band push, not a reply
      pos = r.pos;
      if (isPush) continue;
      const p = this.pending.shift();
      if (p) p.resolve(r.value);
    }
    buf = buf.subarray(pos);
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
  }

  /** Sends commands in one write; resolves with one reply per command (errors as RespError). */
  send(commands: Arg[][]): Promise<Reply[]> {
    if (this.closed) return Promise.reject(this.closeError ?? new Error("redis connection closed"));
    const promises = commands.map(
      () => new Promise<Reply>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(promises);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
}

function parseRedisUrl(redisUrl: string): RedisTarget {
  const u = new URL(redisUrl);
  if (u.protocol !== "redis:") throw new Error(`unsupported redis URL ${redisUrl} (expected redis://host:port)`);
  const t: RedisTarget = { host: u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(u.port || 6379) };
  if (u.username) t.username = decodeURIComponent(u.username);
  if (u.password) t.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, "");
  if (db) t.db = Number(db);
  return t;
}

/** A small pool: each HTTP request takes a connection exclusively and gives it back. */
class Pool {
  target: RedisTarget;
  idle: RespConnection[] = [];
  all = new Set<RespConnection>();
  maxIdle = 16;
  closed = false;

  constructor(target: RedisTarget) {
    this.target = target;
  }

  async acquire(): Promise<RespConnection> {
    if (this.closed) throw new Error("pool closed");
    for (;;) {
      const c = this.idle.pop();
      if (!c) break;
      if (!c.closed) return c;
    }
    const conn = await RespConnection.connect(this.target.host, this.target.port);
    this.all.add(conn);
    conn.socket.on("close", () => this.all.delete(conn));
    const init: Arg[][] = [];
    if (this.target.password !== undefined) {
      init.push(
        this.target.username ? ["AUTH", this.target.username, this.target.password] : ["AUTH", this.target.password],
      );
    }
    if (this.target.db) init.push(["SELECT", this.target.db]);
    if (init.length) {
      const replies = await conn.send(init);
      const err = replies.find((r) => r instanceof RespError);
      if (err) {
        conn.close();
        throw new Error(`redis: ${(err as RespError).message}`);
      }
    }
    return conn;
  }

  release(conn: RespConnection): void {
    if (conn.closed || conn.dirty || this.closed || conn.pending.length || this.idle.length >= this.maxIdle) {
      conn.close();
      return;
    }
    this.idle.push(conn);
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) c.close();
    this.idle = [];
  }
}

// ---- script shebang translation --------------------------------------------------------------

/** Flags Redis 7.0 understands in an EVAL script's `#!lua flags=` line. */
const KNOWN_SCRIPT_FLAGS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);

const sha1 = (s: Buffer | string) => crypto.createHash("sha1").update(s).digest("hex");

/**
 * Rewrites a `#!lua ...` first line keeping only flags Redis 7.0 accepts (the line stays, so error
 * line numbers do not move). Returns the input unchanged when nothing needs translating.
 */
export function translateScript(script: string): string {
  const m = /^#!lua([^\n]*)/.exec(script);
  if (!m) return script;
  const opts = m[1]!.trim().split(/\s+/).filter(Boolean);
  const kept: string[] = [];
  let changed = false;
  for (const opt of opts) {
    if (opt.startsWith("flags=")) {
      const flags = opt.slice(6).split(",").filter(Boolean);
      const ok = flags.filter((f) => KNOWN_SCRIPT_FLAGS.has(f));
      if (ok.length !== flags.length) changed = true;
      if (ok.length) kept.push(`flags=${ok.join(",")}`);
    } else {
      changed = true; // EVAL scripts accept no other shebang options in 7.0
    }
  }
  if (!changed) return script;
  return `#!lua${kept.length ? " " + kept.join(" ") : ""}${script.slice(m[0].length)}`;
}

class ScriptShas {
  /** sha1(original text) -> sha1(text Redis actually got) */
  map = new Map<string, string>();

  /** Returns the script to send and remembers the sha mapping. */
  translate(script: string): string {
    const t = translateScript(script);
    if (t !== script) this.map.set(sha1(script), sha1(t));
    return t;
  }

  sha(sha: string): string {
    return this.map.get(sha.toLowerCase()) ?? sha;
  }
}

// ---- HTTP server --------------------------------------------------------------------------------

type Json = null | number | string | boolean | Json[];

class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Commands that change per-connection state: the connection is closed instead of reused. */
const STATEFUL = new Set([
  "select",
  "auth",
  "hello",
  "client",
  "reset",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "quit",
  "readonly",
  "readwrite",
  "swapdb",
]);
const UNSUPPORTED = new Set([
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "sync",
  "psync",
  "shutdown",
]);

function toArg(v: unknown): Arg {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v === null || v === undefined) return "";
  return JSON.stringify(v);
}

function checkCommand(cmd: unknown): Arg[] {
  if (!Array.isArray(cmd) || cmd.length === 0) throw new HttpError(400, "ERR command must be a non-empty JSON array");
  return cmd.map(toArg);
}

function prepare(args: Arg[], shas: ScriptShas): Arg[] {
  const name = String(args[0]).toLowerCase();
  if (UNSUPPORTED.has(name))
    throw new HttpError(400, `ERR command '${name}' is not supported by the local Upstash REST server`);
  const out = [...args];
  if ((name === "eval" || name === "eval_ro") && out.length > 1) {
    out[1] = shas.translate(String(out[1]));
  } else if ((name === "evalsha" || name === "evalsha_ro") && out.length > 1) {
    out[1] = shas.sha(String(out[1]));
  } else if (name === "script" && out.length > 1) {
    const sub = String(out[1]).toLowerCase();
    if (sub === "load" && out.length > 2) out[2] = shas.translate(String(out[2]));
    if (sub === "exists") for (let i = 2; i < out.length; i++) out[i] = shas.sha(String(out[i]));
  }
  return out;
}

/** SCRIPT LOAD answers with sha1 of the text the client sent (what the client computes itself). */
function fixReply(args: Arg[], reply: Reply): Reply {
  const name = String(args[0]).toLowerCase();
  if (name === "script" && String(args[1]).toLowerCase() === "load" && Buffer.isBuffer(reply) && args.length > 2) {
    return Buffer.from(sha1(String(args[2])));
  }
  return reply;
}

function toJson(r: Reply, base64: boolean, top: boolean): Json {
  if (r === null) return null;
  if (Array.isArray(r)) return r.map((x) => toJson(x, base64, false));
  if (Buffer.isBuffer(r)) {
    const b = r as Buffer;
    return base64 ? b.toString("base64") : b.toString("utf8");
  }
  if (r instanceof SimpleString) {
    if (!base64 || (top && r.value === "OK")) return r.value;
    return Buffer.from(r.value, "utf8").toString("base64");
  }
  if (r instanceof RespError) return r.message; // an error nested inside an array
  if (typeof r === "number") return Number.isFinite(r) ? r : String(r);
  if (typeof r === "bigint") return Number(r);
  return r ? 1 : 0;
}

function entry(r: Reply, base64: boolean): { result: Json } | { error: string } {
  return r instanceof RespError ? { error: r.message } : { result: toJson(r, base64, true) };
}

async function readBody(req: http.IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(400, "ERR max request size exceeded");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "ERR failed to parse command");
  }
}

export interface LocalUpstashRest {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startUpstashRest(opts: {
  redisUrl: string;
  token: string;
  port?: number;
}): Promise<LocalUpstashRest> {
  if (!opts.token) throw new Error("startUpstashRest: token is required");
  const target = parseRedisUrl(opts.redisUrl);
  const pool = new Pool(target);
  const shas = new ScriptShas();

  // Fail early when Redis is not reachable.
  const probe = await pool.acquire().catch((err: Error) => {
    throw new Error(`startUpstashRest: cannot reach redis at ${opts.redisUrl}: ${err.message}`);
  });
  const [pong] = await probe.send([["PING"]]);
  if (pong instanceof RespError) throw new Error(`startUpstashRest: redis PING failed: ${pong.message}`);
  pool.release(probe);

  const expected = Buffer.from(opts.token);
  const authorized = (req: http.IncomingMessage, url: URL): boolean => {
    const h = req.headers.authorization ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    const given = m ? m[1]! : (url.searchParams.get("_token") ?? "");
    const g = Buffer.from(given);
    return g.length === expected.length && crypto.timingSafeEqual(g, expected);
  };

  const withConn = async <T>(fn: (c: RespConnection) => Promise<T>): Promise<T> => {
    const conn = await pool.acquire();
    try {
      return await fn(conn);
    } finally {
      pool.release(conn);
    }
  };

  const runOne = (args: Arg[]): Promise<Reply> =>
    withConn(async (conn) => {
      const prepared = prepare(args, shas);
      if (STATEFUL.has(String(args[0]).toLowerCase())) conn.dirty = true;
      const [reply] = await conn.send([prepared]);
      return fixReply(args, reply!);
    });

  const runPipeline = (cmds: Arg[][]): Promise<Reply[]> =>
    withConn(async (conn) => {
      const prepared: Arg[][] = [];
      const results: (Reply | undefined)[] = [];
      for (const args of cmds) {
        try {
          prepared.push(prepare(args, shas));
          results.push(undefined);
        } catch (err) {
          results.push(new RespError((err as Error).message));
        }
        if (STATEFUL.has(String(args[0]).toLowerCase())) conn.dirty = true;
      }
      const replies = prepared.length ? await conn.send(prepared) : [];
      let j = 0;
      return results.map((r, i) => r ?? fixReply(cmds[i]!, replies[j++]!));
    });

  const runMultiExec = (cmds: Arg[][]): Promise<Reply[] | RespError> =>
    withConn(async (conn) => {
      const prepared = cmds.map((args) => {
        const name = String(args[0]).toLowerCase();
        if (["multi", "exec", "discard", "watch"].includes(name)) {
          throw new HttpError(400, `ERR ${name.toUpperCase()} is not allowed inside /multi-exec`);
        }
        if (STATEFUL.has(name)) conn.dirty = true;
        return prepare(args, shas);
      });
      const replies = await conn.send([["MULTI"], ...prepared, ["EXEC"]]);
      const exec = replies[replies.length - 1]!;
      if (exec instanceof RespError) {
        const queueErr = replies.slice(1, -1).find((r) => r instanceof RespError) as RespError | undefined;
        return new RespError(queueErr ? `${exec.message} ${queueErr.message}` : exec.message);
      }
      if (!Array.isArray(exec)) return new RespError("ERR transaction aborted");
      return exec.map((r, i) => fixReply(cmds[i]!, r));
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const method = req.method ?? "GET";
      if (!["GET", "POST", "PUT", "HEAD"].includes(method)) {
        res.setHeader("allow", "HEAD, GET, POST, PUT");
        return send(405, { error: "ERR method not allowed" });
      }
      if (!authorized(req, url)) return send(401, { error: "WRONGPASS invalid or missing auth token" });
      const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
      const format = String(req.headers["upstash-response-format"] ?? "json").toLowerCase();
      if (format !== "json")
        return send(400, { error: `ERR unsupported response format '${format}' (the local server speaks json only)` });
      const body = await readBody(req);
      const segments = url.pathname
        .split("/")
        .filter(Boolean)
        .map((s) => decodeURIComponent(s));

      if (segments.length === 1 && (segments[0] === "pipeline" || segments[0] === "multi-exec")) {
        if (method !== "POST" && method !== "PUT") return send(405, { error: "ERR method not allowed" });
        const parsed = parseJson(body);
        if (!Array.isArray(parsed) || parsed.length === 0)
          throw new HttpError(400, "ERR request body must be a non-empty array of commands");
        const cmds = parsed.map(checkCommand);
        if (segments[0] === "pipeline") {
          const replies = await runPipeline(cmds);
          return send(
            200,
            replies.map((r) => entry(r, base64)),
          );
        }
        const result = await runMultiExec(cmds);
        if (result instanceof RespError) return send(400, { error: result.message });
        return send(
          200,
          result.map((r) => entry(r, base64)),
        );
      }

      let args: Arg[];
      if (segments.length === 0) {
        if (!body.length) throw new HttpError(400, "ERR empty command");
        args = checkCommand(parseJson(body));
      } else {
        args = segments;
        if (body.length && (method === "POST" || method === "PUT")) args.push(body);
        for (const [k, v] of url.searchParams) {
          if (k === "_token") continue;
          args.push(k, v);
        }
      }
      const reply = await runOne(args);
      if (reply instanceof RespError) return send(400, { error: reply.message });
      return send(200, { result: toJson(reply, base64, true) });
    } catch (err) {
      if (err instanceof HttpError) return send(err.status, { error: err.message });
      return send(500, { error: `ERR ${(err as Error).message}` });
    }
  };

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: opts.port ?? 0, host: "127.0.0.1" }, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;

  let stopped: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    token: opts.token,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        pool.close();
      });
      return stopped;
    },
  };
}

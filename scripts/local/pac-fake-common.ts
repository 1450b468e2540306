// What the local PACs (pac-finkok.ts, pac-sw.ts) share: the HTTP server around them (each body
// read whole up to a limit, listen, stop), and the state behind their controls — the calls
// received (GET /__requests), the PAC certificate (GET /__certificate), the failure switches
// (POST /__fail) and SAT's side of every CFDI they stamped: its Estado and cancellation, done at
// once or waiting for the receptor (POST /__cancel-mode, POST /__resolve). The wire formats
// (Finkok's SOAP, SW's REST) stay in each fake, which also writes these answers as its own JSON.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bytesToBase64 } from "../../core/encoding/base64.ts";
import type { SandboxPacKeys } from "../../core/invoicing/sandbox-pac.ts";

/** A control's answer, before the fake writes it: an HTTP status and a body to send as JSON. */
export interface ControlAnswer {
  status: number;
  body: unknown;
}

/** The body as a JSON object; undefined when it is not JSON or not an object. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---- failures on request --------------------------------------------------------------------------

export interface Failure<Op extends string> {
  operation: Op;
  /** A PAC or SAT code, or one of the fake's own ("5xx", "timeout", …). */
  code: string;
  times: number;
  delayMs: number;
}

/** POST /__fail {operation, code, times?, delayMs?}: the next `times` calls of an operation fail. */
export class FailureSwitches<Op extends string> {
  private list: Failure<Op>[] = [];
  private readonly operations: readonly Op[];

  constructor(operations: readonly Op[]) {
    this.operations = operations;
  }

  /** The first switch set for `operation` (whose code `matches`, when given), left as it is. */
  find(operation: Op, matches: (code: string) => boolean = () => true): Failure<Op> | undefined {
    return this.list.find((f) => f.operation === operation && matches(f.code));
  }

  /** The first switch set for `operation`, one of its uses spent. */
  take(operation: Op): Failure<Op> | undefined {
    const f = this.find(operation);
    if (!f) return undefined;
    f.times -= 1;
    if (f.times <= 0) this.list = this.list.filter((x) => x !== f);
    return f;
  }

  set(input: Record<string, unknown>): ControlAnswer {
    const operation = this.operations.find((o) => o === input.operation);
    if (!operation) return { status: 400, body: { error: `operation must be one of ${this.operations.join(", ")}` } };
    const code = typeof input.code === "string" || typeof input.code === "number" ? String(input.code) : "";
    if (!code) return { status: 400, body: { error: "code is required" } };
    const times = typeof input.times === "number" && input.times > 0 ? input.times : 1;
    const delayMs = typeof input.delayMs === "number" && input.delayMs >= 0 ? input.delayMs : 60_000;
    this.list.push({ operation, code, times, delayMs });
    return { status: 201, body: { failing: code, operation, times } };
  }

  clear(): void {
    this.list = [];
  }
}

// ---- SAT's side of the stamps ---------------------------------------------------------------------

export type CancelMode = "immediate" | "pending";

/** What SAT knows of a CFDI a fake stamped; each fake adds what its answers need. */
export interface SatRecord {
  uuid: string;
  emisorRfc: string;
  receptorRfc: string;
  total: string;
  estado: "Vigente" | "Cancelado";
  estatusCancelacion: string;
  /** The cancel mode in force when its cancellation was requested. */
  cancelMode?: CancelMode;
}

/**
 * The stamps a fake made: by what identifies a sealed CFDI to its PAC (so the same one again gets
 * the earlier stamp) and by UUID (cancel, status), with SAT's answer to a cancellation.
 */
export class StampMemory<R extends SatRecord> {
  /** How the next cancellations go: at once (sin aceptación) or waiting for the receptor. */
  cancelMode: CancelMode = "immediate";
  private byKey = new Map<string, R>();
  private byUuid = new Map<string, R>();

  remember(key: string, record: R): void {
    this.byKey.set(key, record);
    this.byUuid.set(record.uuid.toUpperCase(), record);
  }

  /** The stamp made earlier of the sealed CFDI `key` names. */
  earlier(key: string): R | undefined {
    return this.byKey.get(key);
  }

  /** A stamp by its UUID, in any case. */
  find(uuid: string): R | undefined {
    return this.byUuid.get(uuid.toUpperCase());
  }

  /** SAT takes a cancellation request: cancelled at once, or "En proceso" until /__resolve. */
  cancel(record: R): void {
    record.cancelMode = this.cancelMode;
    if (this.cancelMode === "pending") {
      record.estatusCancelacion = "En proceso";
    } else {
      record.estado = "Cancelado";
      record.estatusCancelacion = "Cancelado sin aceptación";
    }
  }

  /** POST /__cancel-mode {mode: "immediate" | "pending"}. */
  setCancelMode(input: Record<string, unknown>): ControlAnswer {
    if (input.mode !== "immediate" && input.mode !== "pending")
      return { status: 400, body: { error: 'mode must be "immediate" or "pending"' } };
    this.cancelMode = input.mode;
    return { status: 200, body: { mode: this.cancelMode } };
  }

  /** POST /__resolve {uuid, outcome: "accepted" | "rejected"}: the receptor answers a pending cancellation. */
  resolve(input: Record<string, unknown>): ControlAnswer {
    const record = typeof input.uuid === "string" ? this.find(input.uuid) : undefined;
    if (!record || record.estatusCancelacion !== "En proceso")
      return { status: 404, body: { error: "no pending cancellation for that uuid" } };
    if (input.outcome === "accepted") {
      record.estado = "Cancelado";
      record.estatusCancelacion = "Cancelado con aceptación";
    } else if (input.outcome === "rejected") {
      record.estatusCancelacion = "Solicitud rechazada";
    } else {
      return { status: 400, body: { error: 'outcome must be "accepted" or "rejected"' } };
    }
    return {
      status: 200,
      body: { uuid: record.uuid, estado: record.estado, estatusCancelacion: record.estatusCancelacion },
    };
  }

  clear(): void {
    this.byKey = new Map();
    this.byUuid = new Map();
    this.cancelMode = "immediate";
  }
}

// ---- the state behind the controls ----------------------------------------------------------------

/** The calls received, the failure switches and the stamps, with the controls they answer. */
export class LocalPacState<Op extends string, Req extends { operation: string }, R extends SatRecord> {
  readonly failures: FailureSwitches<Op>;
  readonly stamps = new StampMemory<R>();
  private requests: Req[] = [];
  private readonly keys: SandboxPacKeys;

  constructor(operations: readonly Op[], keys: SandboxPacKeys) {
    this.failures = new FailureSwitches(operations);
    this.keys = keys;
  }

  record(request: Req): void {
    this.requests.push(request);
  }

  /** GET /__requests?operation= (oldest first) and GET /__certificate; null for any other. */
  read(method: string, path: string, query: URLSearchParams): ControlAnswer | null {
    if (method !== "GET") return null;
    if (path === "/__requests") {
      const op = query.get("operation");
      return { status: 200, body: this.requests.filter((r) => !op || r.operation === op) };
    }
    if (path === "/__certificate")
      return {
        status: 200,
        body: { certificate: bytesToBase64(this.keys.certificateDer), noCertificado: this.keys.noCertificado },
      };
    return null;
  }

  /** POST /__fail, /__cancel-mode and /__resolve with their JSON body; null for any other path. */
  write(path: string, input: Record<string, unknown>): ControlAnswer | null {
    if (path === "/__fail") return this.failures.set(input);
    if (path === "/__cancel-mode") return this.stamps.setCancelMode(input);
    if (path === "/__resolve") return this.stamps.resolve(input);
    return null;
  }

  /** Forgets the calls, the switches and the stamps, and cancels at once again. */
  reset(): void {
    this.requests = [];
    this.failures.clear();
    this.stamps.clear();
  }
}

// ---- the server -----------------------------------------------------------------------------------

export interface FakeServer {
  url: string;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * An HTTP server on `host` (127.0.0.1 by default) and `port` (0: one the OS picks) that reads each
 * request's body whole, then calls `handle` with it — null when it passed `maxBodyBytes` (the rest
 * is read and dropped). A request that breaks off destroys its response.
 */
export async function serveFake(
  options: { port?: number; host?: string },
  maxBodyBytes: number,
  handle: (req: IncomingMessage, res: ServerResponse, body: Buffer | null) => void,
): Promise<FakeServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= maxBodyBytes) chunks.push(c);
    });
    req.on("error", () => res.destroy());
    req.on("end", () => handle(req, res, size > maxBodyBytes ? null : Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Structured JSON logs: one line per event, the seed's LogEntry fields. Runtime-free.
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogEntry {
  timestamp: string;
  level: LogLevel;
  service: string;
  environment: string;
  requestId?: string;
  userId?: string;
  tenantId?: string;
  message: string;
  data?: Record<string, unknown>;
  error?: { name: string; message: string; code?: string; stack?: string };
}

export interface LogContext {
  requestId?: string;
  userId?: string;
  tenantId?: string;
}

export type LogSink = (line: string) => void;

// Keys whose values are never written, wherever they appear in `data`.
const SECRET_KEY = /authorization|token|secret|password|cookie|api[-_]?key|private|csd|sello/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
  }
  return out;
}

/** `+5215512345678` → `+52******5678`: enough to correlate, not enough to contact. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, "");
  if (digits.length <= 6) return "***";
  return `${digits.slice(0, 3)}${"*".repeat(Math.max(0, digits.length - 7))}${digits.slice(-4)}`;
}

export function serializeError(err: unknown): LogEntry["error"] {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      name: err.name,
      message: err.message,
      ...(typeof code === "string" ? { code } : {}),
      ...(err.stack ? { stack: err.stack.split("\n").slice(0, 8).join("\n") } : {}),
    };
  }
  return { name: "NonError", message: String(err) };
}

export class Logger {
  private readonly service: string;
  private readonly environment: string;
  private readonly level: LogLevel;
  private readonly context: LogContext;
  private readonly sink: LogSink;

  constructor(options: {
    service: string;
    environment: string;
    level?: LogLevel;
    context?: LogContext;
    sink?: LogSink;
  }) {
    this.service = options.service;
    this.environment = options.environment;
    this.level = options.level ?? "info";
    this.context = options.context ?? {};
    this.sink = options.sink ?? ((line) => console.log(line));
  }

  with(context: LogContext): Logger {
    return new Logger({
      service: this.service,
      environment: this.environment,
      level: this.level,
      context: { ...this.context, ...context },
      sink: this.sink,
    });
  }

  log(level: LogLevel, message: string, data?: Record<string, unknown>, error?: unknown): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    const entry: LogEntry = {
      timestamp: new Date().toISOString(),
      level,
      service: this.service,
      environment: this.environment,
      ...this.context,
      message,
      ...(data ? { data: redact(data) as Record<string, unknown> } : {}),
      ...(error !== undefined ? { error: serializeError(error) } : {}),
    };
    this.sink(JSON.stringify(entry));
  }

  debug(message: string, data?: Record<string, unknown>): void {
    this.log("debug", message, data);
  }
  info(message: string, data?: Record<string, unknown>): void {
    this.log("info", message, data);
  }
  warn(message: string, data?: Record<string, unknown>, error?: unknown): void {
    this.log("warn", message, data, error);
  }
  error(message: string, data?: Record<string, unknown>, error?: unknown): void {
    this.log("error", message, data, error);
  }
}

import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { HonoEnv } from "../context.ts";
import { ConfigError } from "../../platform/env.ts";
import { AppError, problemResponse, type ErrorCode } from "./problem.ts";
import { publicErrorPage } from "./public-error-page.ts";
import { findPgError, type PgLikeError } from "../../db/pg-error.ts";

export { findPgError };

// Database errors that are the caller's fault map to 4xx; anything else stays a 500.
const PG_CODES: Record<string, { code: ErrorCode; detail: (e: PgLikeError) => string }> = {
  ZT403: { code: "FORBIDDEN", detail: (e) => e.message },
  ZT409: { code: "CONFLICT", detail: (e) => `${e.message}; retry the request` },
  "23505": {
    code: "CONFLICT",
    detail: (e) => `a record with these values already exists (${e.constraint ?? "unique"})`,
  },
  "23503": {
    code: "UNPROCESSABLE",
    detail: (e) => `a referenced record does not exist (${e.constraint ?? "foreign key"})`,
  },
  "23514": { code: "UNPROCESSABLE", detail: (e) => `a value is not allowed (${e.constraint ?? "check"})` },
  "22P02": { code: "BAD_REQUEST", detail: () => "a value has the wrong format" },
  "22001": { code: "UNPROCESSABLE", detail: () => "a value is too long" },
  "22003": { code: "UNPROCESSABLE", detail: () => "a number is out of range" },
  "40001": { code: "CONFLICT", detail: () => "concurrent update, retry the request" },
};

function statusToCode(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "METHOD_NOT_ALLOWED";
    case 409:
      return "CONFLICT";
    case 413:
      return "PAYLOAD_TOO_LARGE";
    case 415:
      return "UNSUPPORTED_MEDIA_TYPE";
    case 422:
      return "UNPROCESSABLE";
    case 429:
      return "RATE_LIMITED";
    default:
      return status >= 500 ? "INTERNAL" : "BAD_REQUEST";
  }
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const code = statusToCode(err.status);
    const detail = err.status === 413 ? "request body is too large" : err.message || "bad request";
    return new AppError(code, detail, { cause: err });
  }
  const pg = findPgError(err);
  if (pg) {
    const mapped = PG_CODES[pg.code];
    if (mapped) return new AppError(mapped.code, mapped.detail(pg), { cause: err });
  }
  if (err instanceof ConfigError) {
    return new AppError("INTERNAL", "the service is misconfigured", { cause: err });
  }
  return new AppError("INTERNAL", "unexpected error", { cause: err });
}

export function renderError(err: unknown, c: Context<HonoEnv>): Response {
  const appError = toAppError(err);
  const requestId = c.get("requestId");
  if (appError.status >= 500) {
    c.get("logger")?.error("unhandled error", { route: c.req.routePath }, err);
  } else {
    c.set("logFields", { ...(c.get("logFields") ?? {}), errorCode: appError.code, errorDetail: appError.message });
  }
  // The public proposal pages are read by people, in Spanish: errors there are pages too.
  if (c.req.path.startsWith("/p/")) return publicErrorPage(appError, requestId);
  return problemResponse(appError, requestId);
}

export const onError: ErrorHandler<HonoEnv> = (err, c) => renderError(err, c);

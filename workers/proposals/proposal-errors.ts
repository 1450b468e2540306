import { MAX_AMOUNT } from "../../core/proposals/totals.ts";
import { preconditionFailed } from "../http/etag.ts";
import { AppError } from "../http/problem.ts";

// The problems the proposal routes share.

/** Why a guarded write to an existing draft-only proposal did not happen: 409 (not a draft) or 412 (stale ETag). */
export function notUpdated(status: string, version: number, expected: number | undefined): AppError {
  if (status !== "draft") {
    return new AppError("CONFLICT", `only draft proposals can be changed; this one is ${status}`, {
      extensions: { status },
    });
  }
  if (expected !== undefined && version !== expected) {
    return preconditionFailed(version);
  }
  return new AppError("CONFLICT", "the proposal changed concurrently; retry", { extensions: { status } });
}

/** An item change would take the proposal past what the money columns hold (core/proposals/totals.ts exceedsMaxAmount). */
export function totalTooLarge(): AppError {
  return new AppError("UNPROCESSABLE", `the proposal total would exceed the maximum (${MAX_AMOUNT})`, {
    errors: [{ path: "body", message: "total máximo excedido" }],
  });
}

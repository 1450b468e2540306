import { AppError } from "./problem.ts";

// Optimistic concurrency: a row's `version` is its entity tag. PATCH with `If-Match` only applies
// to the version the client saw (412 otherwise).

export function etagOf(version: number): string {
  return `"v${version}"`;
}

/** The version an `If-Match` header names; undefined when absent (the write is unconditional). */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"v(\d{1,9})"\s*$/.exec(header);
  if (!match?.[1]) {
    throw new AppError("PRECONDITION_FAILED", 'If-Match must be an ETag returned by this API, e.g. "v3"');
  }
  return Number(match[1]);
}

/**
 * The one 412 of the API: the write named a version that is no longer current. The current ETag is
 * in the `ETag` header (as a GET would send it) and in the body (`currentETag`).
 */
export function preconditionFailed(version: number): AppError {
  const etag = etagOf(version);
  return new AppError("PRECONDITION_FAILED", "the resource was changed since you read it; re-read it and retry", {
    headers: { etag },
    extensions: { currentETag: etag },
  });
}

import { findPgError } from "./error-handler.ts";
import { AppError } from "./problem.ts";

/**
 * The 422 for a reference that does not name a record of the tenant (see db/tenant-reference.ts),
 * when `err` is the FK violation of one of `fields` (constraint name → body field); else undefined.
 */
export function referenceError(err: unknown, fields: Record<string, string>): AppError | undefined {
  const pg = findPgError(err);
  if (pg?.code !== "23503" || !pg.constraint) return undefined;
  const field = fields[pg.constraint];
  if (!field) return undefined;
  return new AppError("UNPROCESSABLE", `${field} does not name a record of this tenant`, {
    errors: [{ path: `body.${field}`, message: "no existe en esta cuenta", code: "not_found" }],
    cause: err,
  });
}

import { sql, type SQL } from "drizzle-orm";
import { findPgError } from "../http/error-handler.ts";
import { AppError } from "../http/problem.ts";

// Foreign-key checks run as the table owner and bypass row-level security (PostgreSQL docs,
// "Row Security Policies": referential integrity checks are never subject to row security), so a
// lead id of ANOTHER tenant would satisfy `proposals.lead_id → leads.id`. A referenced id is
// therefore first resolved inside the caller's RLS scope; an id that is not visible there becomes
// the nil UUID, which no row has (ids are v4), so the FK fails (23503) and the whole batch rolls
// back — no sequence number consumed, no idempotency key claimed, no partial write — and the
// handler turns that into a 422 naming the field. One round trip, no read-then-decide.

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

export type ReferencedTable = "leads" | "customers" | "proposals";

/** The id if that row exists in the caller's tenant, else the nil UUID (or NULL when `id` is null). */
export function tenantReference(table: ReferencedTable, id: string | null | undefined): SQL {
  if (!id) return sql`null::uuid`;
  return sql`coalesce((select r.id from ${sql.raw(table)} r where r.id = ${id}::uuid), ${NIL_UUID}::uuid)`;
}

/**
 * The 422 for a failed reference, when `err` is the FK violation of one of `fields`
 * (constraint name → body field); undefined otherwise.
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

/**
 * True for rows written by the current transaction. Lets an outbox INSERT … SELECT that follows a
 * guarded UPDATE in the same batch fire only when the guard passed (a 409/412 must leave no event).
 * Timestamps cannot serve: the columns keep milliseconds, `now()` has microseconds.
 */
export const writtenByThisTransaction = sql`t.xmin = pg_current_xact_id()::xid`;

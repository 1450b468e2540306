import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { pgTable, uuid, type PgTable } from "drizzle-orm/pg-core";
import { outboxInsert, type OutboxEventSpec } from "../events/outbox.ts";

// Helpers for writes that must stay one batch (one round trip) yet may not happen: a guarded
// UPDATE (If-Match version, allowed status) or an INSERT whose references belong to the tenant.

/** Stands for the `changed` CTE below, so `outboxInsert` reads the rows the write just produced. */
const changed = pgTable("changed", { id: uuid("id") });

/**
 * `WITH changed AS (<write> RETURNING *) INSERT INTO outbox … FROM changed`: the event exists iff
 * the guarded write changed a row, and its payload is the row as written. (An outbox statement that
 * re-reads the table by id would also fire when the guard refused the write.)
 */
export function writeWithEvent(write: SQLWrapper, spec: Omit<OutboxEventSpec, "table">): SQL {
  // getSQL(): a query builder embedded as is would be parenthesised as a subquery.
  return sql`with changed as (${write.getSQL()}) ${outboxInsert({ ...spec, table: changed })}`;
}

/** No row ever has this id (ids come from gen_random_uuid / crypto.randomUUID, version 4). */
const NO_ROW = "00000000-0000-0000-0000-000000000000";

/**
 * A foreign-key value that must name a row of the caller's tenant. Postgres checks foreign keys
 * without row-level security (and our FKs are on `id` alone), so another tenant's id would pass the
 * FK: look it up under RLS and the tenant filter instead, and let a miss fail the FK with the nil
 * uuid (23503 on that column's constraint, aborting the whole batch, idempotency claim included).
 */
export function ownedRef(table: PgTable & { id: SQLWrapper; tenantId: SQLWrapper }, id: string, tenantId: string): SQL {
  return sql`coalesce((select ${table.id} from ${table} where ${table.id} = ${id}::uuid and ${table.tenantId} = ${tenantId}::uuid), ${NO_ROW}::uuid)`;
}

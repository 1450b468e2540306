import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

// Foreign-key checks bypass row-level security (PostgreSQL docs, "Row Security Policies":
// referential integrity checks are never subject to row security), and our FKs are on `id` alone,
// so ANOTHER tenant's id would satisfy e.g. `proposals.lead_id → leads.id`. A referenced id is
// therefore resolved inside the caller's scope (RLS and an explicit tenant filter); an id that is
// not there becomes the nil UUID, which no row has (ids are v4), so the FK fails (23503) and the
// whole batch rolls back — no partial write, no idempotency key claimed — and the handler turns
// that into a 422 naming the field (workers/http/reference-error.ts). One round trip.

/** No row has it (ids are v4): also what a batch looks up when an optional reference is absent, to keep its shape. */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

type TenantTable = PgTable & { id: SQLWrapper; tenantId: SQLWrapper };

/** The id if that row exists in the tenant, else the nil UUID; SQL NULL for a null id. */
export function tenantReference(table: TenantTable, id: string | null | undefined, tenantId: string): SQL {
  if (!id) return sql`null::uuid`;
  return sql`coalesce((select ${table.id} from ${table} where ${table.id} = ${id}::uuid and ${table.tenantId} = ${tenantId}::uuid), ${NIL_UUID}::uuid)`;
}

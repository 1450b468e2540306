import { sql } from "drizzle-orm";
import { customType, uuid } from "drizzle-orm/pg-core";

// Shared column shapes. Every tenant-owned table carries `tenant_id`; RLS (db/migrations) keys on it.

/**
 * timestamptz(3) read as an ISO 8601 UTC string ("2026-11-28T07:24:52.634Z"): the drivers hand
 * back Postgres' text form ("2026-11-28 07:24:52.634+00"), which is not what an API should emit.
 * Millisecond precision in the database too, so a value the API returns (and a pagination cursor
 * made from it) compares exactly with the stored one.
 */
const timestamptz = customType<{ data: string; driverData: string }>({
  dataType: () => "timestamp(3) with time zone",
  fromDriver: (value) => new Date(value).toISOString(),
  toDriver: (value) => value,
});

export const id = () =>
  uuid("id")
    .primaryKey()
    .default(sql`gen_random_uuid()`);
export const tenantId = () => uuid("tenant_id").notNull();
export const tstz = (name: string) => timestamptz(name);
export const createdAt = () =>
  tstz("created_at")
    .notNull()
    .default(sql`now()`);
export const updatedAt = () =>
  tstz("updated_at")
    .notNull()
    .default(sql`now()`);

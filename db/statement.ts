import type { SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { Database } from "./client.ts";

// A unit of work is one batch (one round trip), so a data module cannot run its own queries: it
// returns statements, and handlers compose them. A statement carries how to read its own result,
// so `UnitOfWork.run([a, b, c])` returns a typed tuple — reordering the statements or reading one
// as another is a compile error, and no caller touches a raw driver result.

/** One statement of a batch, with the reader of its result. */
export interface Statement<T> {
  readonly build: (db: Database) => BatchItem<"pg">;
  readonly read: (result: unknown) => T;
}

/** The typed results of a tuple of statements. */
export type Results<S extends readonly Statement<unknown>[]> = {
  -readonly [K in keyof S]: S[K] extends Statement<infer T> ? T : never;
};

type QueryResult<Q> = Q extends RunnableQuery<infer R, "pg"> ? R : never;

/** A drizzle query builder (select/insert/update/delete): its result type is drizzle's. */
export function query<Q extends BatchItem<"pg">>(build: (db: Database) => Q): Statement<QueryResult<Q>> {
  return { build, read: (result) => result as QueryResult<Q> };
}

/** Hand-written SQL: `map` is the one place that knows its columns. */
export function rows<T>(text: SQL, map: (row: Record<string, unknown>) => T): Statement<T[]> {
  return { build: (db) => db.execute(text), read: (result) => rowsOf(result).map(map) };
}

/** Hand-written SQL whose rows are not read (a guard, a side effect); its result is how many rows it touched. */
export function exec(text: SQL): Statement<number> {
  return {
    build: (db) => db.execute(text),
    read: (result) => {
      const count = (result as { rowCount?: number | null } | undefined)?.rowCount;
      return typeof count === "number" ? count : rowsOf(result).length;
    },
  };
}

function rowsOf(result: unknown): Record<string, unknown>[] {
  const found = (result as { rows?: unknown } | undefined)?.rows;
  return Array.isArray(found) ? (found as Record<string, unknown>[]) : [];
}

/**
 * A statement that needs the database object to be built (a drizzle UPDATE embedded in a CTE, a
 * guarded write with its event): `make` runs when the batch is assembled.
 */
export function builtWith<T>(make: (db: Database) => Statement<T>): Statement<T> {
  let made: Statement<T> | undefined;
  return {
    build: (db) => {
      made = make(db);
      return made.build(db);
    },
    read: (result) => {
      if (!made) throw new Error("statement read before it was built");
      return made.read(result);
    },
  };
}

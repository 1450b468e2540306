import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gt, isNull, lt, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { decodeCursor, encodeCursor, type CursorPosition, type SortField } from "../../core/pagination/cursor.ts";
import { AppError } from "./problem.ts";

export const MAX_PAGE = 200;

export const ListQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE)
    .default(50)
    .openapi({ description: `Page size, 1–${MAX_PAGE}` }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: "Opaque cursor from the previous page's `nextCursor`" }),
});

export function pageSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      data: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as `cursor` for the next page; null on the last page" }),
    })
    .openapi(name);
}

export interface SortSpec {
  field: SortField;
  direction: "asc" | "desc";
}

/** `-created` → created desc; `score` → score asc. */
export function parseSort(value: string | undefined, allowed: readonly SortField[], fallback: SortSpec): SortSpec {
  if (!value) return fallback;
  const direction = value.startsWith("-") ? "desc" : "asc";
  const field = value.replace(/^[-+]/, "") as SortField;
  if (!allowed.includes(field)) {
    throw new AppError("BAD_REQUEST", `sort must be one of ${allowed.flatMap((f) => [f, `-${f}`]).join(", ")}`, {
      errors: [{ path: "query.sort", message: "unknown sort field" }],
    });
  }
  return { field, direction };
}

/**
 * Keyset pagination: order by (sort column, id) and continue strictly after the cursor's row, so
 * pages stay stable while rows are inserted. Nullable sort columns (score) sort NULLs last.
 */
export function keyset(
  sort: SortSpec,
  column: AnyColumn,
  idColumn: AnyColumn,
  cursorText: string | undefined,
): { where: SQL | undefined; orderBy: SQL[] } {
  const dir = sort.direction === "asc" ? asc : desc;
  const orderBy = [sql`${column} ${sql.raw(sort.direction)} nulls last`, dir(idColumn)];
  if (!cursorText) return { where: undefined, orderBy };
  const cursor = decodeCursor(cursorText);
  if (!cursor || cursor.sort !== sort.field || cursor.direction !== sort.direction) {
    throw new AppError("BAD_REQUEST", "cursor is malformed or belongs to another sort order", {
      errors: [{ path: "query.cursor", message: "invalid cursor" }],
    });
  }
  const after = sort.direction === "asc" ? gt : lt;
  const idAfter = after(idColumn, cursor.id);
  let where: SQL | undefined;
  if (cursor.value === null) {
    // Already in the NULLs tail: only ids further along.
    where = and(isNull(column), idAfter);
  } else {
    where = or(after(column, cursor.value), and(eq(column, cursor.value), idAfter), isNull(column));
  }
  return { where, orderBy };
}

/** Fetch limit + 1 rows; the extra one only says whether there is a next page. */
export function page<T>(
  rows: T[],
  limit: number,
  sort: SortSpec,
  position: (row: T) => { value: string | number | null; id: string },
): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  if (rows.length <= limit || !last) return { data, nextCursor: null };
  const p = position(last);
  const cursor: CursorPosition = { sort: sort.field, direction: sort.direction, value: p.value, id: p.id };
  return { data, nextCursor: encodeCursor(cursor) };
}

/** A `q` text search as an ILIKE pattern: `%`, `_` and `\` are LIKE metacharacters, so "50%" means the text "50%". */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

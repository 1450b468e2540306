import type { Context } from "hono";
import { contactHolding, duplicateField } from "../../db/contacts/contact-store.ts";
import type { HonoEnv } from "../context.ts";
import { findPgError } from "../http/error-handler.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";

/**
 * A write refused because another contact of the tenant holds the email or phone: 409 naming that
 * contact (`existingId`), looked up by the field whose constraint fired. A second round trip, only
 * on this path. Undefined when `err` is something else.
 */
export async function duplicateContactProblem(
  c: Context<HonoEnv>,
  err: unknown,
  input: { email?: string | null | undefined; phone?: string | null | undefined },
  path: string,
): Promise<AppError | undefined> {
  const pg = findPgError(err);
  const field = pg?.code === "23505" ? duplicateField(pg.constraint) : undefined;
  if (!field) return undefined;
  const value = input[field];
  const [rows] = value ? await readRun(c, [contactHolding(c.get("auth").tenantId, field, value)]) : [[]];
  return new AppError("CONFLICT", `a contact with this ${field} already exists`, {
    extensions: { existingId: rows[0]?.id ?? null },
    errors: [{ path: `${path}.${field}`, message: "duplicate", code: "duplicate" }],
  });
}

import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../context.ts";
import { AppError } from "../http/problem.ts";
import type { UserRole } from "../../db/schema/tenants.ts";

const RANK: Record<UserRole, number> = { user: 1, manager: 2, admin: 3 };

/** Throws 403 unless `role` is at least `minimum` (admin > manager > user). */
export function assertRole(role: UserRole, minimum: UserRole): void {
  if (RANK[role] < RANK[minimum]) {
    throw new AppError("FORBIDDEN", `this action needs the ${minimum} role (you are ${role})`);
  }
}

/** Route guard: the caller's role must be at least `minimum`. */
export function requireRole(minimum: UserRole): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    assertRole(c.get("auth").role, minimum);
    await next();
  };
}

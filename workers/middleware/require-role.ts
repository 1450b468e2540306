import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../context.ts";
import { AppError } from "../http/problem.ts";
import { hasRole, type Role } from "../../core/auth/roles.ts";

/** Throws 403 unless `role` is at least `minimum` (admin > manager > user). */
export function assertRole(role: Role, minimum: Role): void {
  if (!hasRole(role, minimum)) {
    throw new AppError("FORBIDDEN", `this action needs the ${minimum} role (you are ${role})`);
  }
}

/** Route guard: the caller's role must be at least `minimum`. */
export function requireRole(minimum: Role): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    assertRole(c.get("auth").role, minimum);
    await next();
  };
}

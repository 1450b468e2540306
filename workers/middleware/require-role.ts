import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../context.ts";
import { AppError } from "../http/problem.ts";
import type { UserRole } from "../../db/schema/tenants.ts";

const RANK: Record<UserRole, number> = { user: 1, manager: 2, admin: 3 };

/** Route guard: the caller's role must be at least `minimum` (admin > manager > user). */
export function requireRole(minimum: UserRole): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    const role = c.get("auth").role;
    if (RANK[role] < RANK[minimum]) {
      throw new AppError("FORBIDDEN", `this action needs the ${minimum} role (you are ${role})`);
    }
    await next();
  };
}

import { and, eq, inArray, sql } from "drizzle-orm";
import type { Role } from "../../core/auth/roles.ts";
import type { Plan } from "../../core/ratelimit/policies.ts";
import { tenants, users } from "../schema/tenants.ts";
import { query, type Statement } from "../statement.ts";

// Tenants and their users: the caller's own record (tenant scope, RLS) and what operations and
// the daily job read or change across tenants (system scope, or one tenant without a caller).

export interface UserWithTenant {
  userId: string;
  email: string | null;
  fullName: string | null;
  role: Role;
  createdAt: string;
  tenantId: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
  plan: Plan;
}

/** The user (provisioned by the unit of work's `app_begin_request`) with their tenant. */
export function getUserWithTenant(userId: string): Statement<UserWithTenant[]> {
  return query((db) =>
    db
      .select({
        userId: users.id,
        email: users.email,
        fullName: users.fullName,
        role: users.role,
        createdAt: users.createdAt,
        tenantId: tenants.id,
        slug: tenants.slug,
        name: tenants.name,
        timezone: tenants.timezone,
        currency: tenants.currency,
        plan: tenants.plan,
      })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(eq(users.id, userId)),
  );
}

export interface TenantLimitsRow {
  plan: Plan;
  overrides: Record<string, number>;
  timezone: string;
}

/** Sets the plan and rate-limit overrides (replacing the previous overrides); no row if the tenant does not exist. */
export function updateTenantLimits(
  tenantId: string,
  limits: { plan: Plan; overrides: Record<string, number> },
): Statement<TenantLimitsRow[]> {
  return query((db) =>
    db
      .update(tenants)
      .set({ plan: limits.plan, rateLimitOverrides: limits.overrides, updatedAt: sql`now()` })
      .where(eq(tenants.id, tenantId))
      .returning({ plan: tenants.plan, overrides: tenants.rateLimitOverrides, timezone: tenants.timezone }),
  );
}

/** Active tenants with their time zone, all of them or only `ids` (system scope). */
export function listActiveTenants(ids?: readonly string[]): Statement<{ id: string; timezone: string }[]> {
  const active = eq(tenants.status, "active");
  return query((db) =>
    db
      .select({ id: tenants.id, timezone: tenants.timezone })
      .from(tenants)
      .where(ids ? and(active, inArray(tenants.id, [...ids])) : active),
  );
}

/** The limits the tenant's rate limiter enforces (its plan, overrides and day boundary). */
export function getTenantLimits(
  tenantId: string,
): Statement<{ plan: Plan; overrides: Record<string, number>; timezone: string }[]> {
  return query((db) =>
    db
      .select({ plan: tenants.plan, overrides: tenants.rateLimitOverrides, timezone: tenants.timezone })
      .from(tenants)
      .where(eq(tenants.id, tenantId)),
  );
}

// A user's role in their tenant: the token's `app_metadata.role`, stored on `users.role` (whose
// CHECK constraint, migration 0001, lists the same values: db/closed-sets.test.ts) and compared by
// rank by route guards.

export const ROLES = ["admin", "manager", "user"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Readonly<Record<Role, number>> = { user: 1, manager: 2, admin: 3 };

/** Whether `role` is at least `minimum` (admin > manager > user). */
export function hasRole(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

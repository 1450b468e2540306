import { describe, expect, it } from "vitest";
import { hasRole, ROLES } from "./roles.ts";

describe("roles", () => {
  it("rank admin over manager over user", () => {
    expect(ROLES.filter((r) => hasRole(r, "admin"))).toEqual(["admin"]);
    expect(ROLES.filter((r) => hasRole(r, "manager"))).toEqual(["admin", "manager"]);
    expect(ROLES.filter((r) => hasRole(r, "user"))).toEqual(["admin", "manager", "user"]);
  });
});

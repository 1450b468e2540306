// Access tokens for benchmark users of a demo tenant, signed with the local stack's key (as
// `npm run token` does). The users are provisioned by the app on their first request.
import { mintAccessToken } from "../../core/auth/supabase-token.ts";
import { DEMO_TENANTS } from "../../db/seed/demo-data.ts";
import type { DevKeys, DevState } from "../../scripts/local/dev-state.ts";
import type { Role } from "../../core/auth/roles.ts";

/** The same ids on every run: a persistent database gains no new users per run. */
export function benchUserId(i: number): string {
  return `b3e70000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

export async function benchTokens(
  keys: DevKeys,
  state: DevState,
  opts: { tenant?: string; users: number; role?: Role },
): Promise<string[]> {
  const slug = opts.tenant ?? "demo";
  const tenant = DEMO_TENANTS.find((t) => t.slug === slug);
  if (!tenant) throw new Error(`no demo tenant ${slug}`);
  return Promise.all(
    Array.from({ length: opts.users }, (_, i) =>
      mintAccessToken(keys.privateJwk, {
        issuer: state.issuer,
        tenantId: tenant.id,
        userId: benchUserId(i),
        role: opts.role ?? "user",
        expiresIn: "1h",
      }),
    ),
  );
}

/** `n` client addresses from TEST-NET-2 (RFC 5737), sent as CF-Connecting-IP, never connected to. */
export function clientIps(n: number): string[] {
  if (n > 254) throw new Error("at most 254 client addresses");
  return Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}`);
}

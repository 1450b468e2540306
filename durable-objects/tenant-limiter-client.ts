// How the rest of the Worker talks to TenantLimiterDO: one stub per tenant (or per IP scope).
import type { Env } from "../platform/env.ts";
import type { QuotaResult, TenantLimiterDO, TenantLimits } from "./tenant-limiter.ts";
import { isDailyQuotaName } from "../core/ratelimit/policies.ts";

export class LimiterUnavailableError extends Error {
  override name = "LimiterUnavailableError";
}

export function limiterStub(env: Env, name: string): DurableObjectStub<TenantLimiterDO> {
  const ns = env.TENANT_LIMITER;
  if (!ns) throw new LimiterUnavailableError("the TENANT_LIMITER Durable Object binding is not configured");
  return ns.get(ns.idFromName(name));
}

/**
 * The quota primitive for features (WhatsApp sends, MSI reminders, …): consumes `n` units of the
 * tenant's daily quota `name` (all or nothing) in the tenant's local day. Throws when the limiter
 * is unreachable: the caller decides (a send should not go out unmetered).
 */
export async function consumeQuota(
  env: Env,
  tenantId: string,
  name: "whatsapp:send" | (string & {}),
  n = 1,
  opts: { limit?: number } = {},
): Promise<{ allowed: boolean; remaining: number; resetAt: Date; limit: number }> {
  if (opts.limit === undefined && !isDailyQuotaName(name))
    throw new RangeError(`unknown daily quota ${name} (pass a limit)`);
  const r: QuotaResult = await limiterStub(env, tenantId).consume(tenantId, name, n, opts);
  return { allowed: r.allowed, remaining: r.remaining, resetAt: new Date(r.resetAt), limit: r.limit };
}

/**
 * Tells the tenant's limiter its new plan/overrides/time zone. Call it right after committing a
 * change to `tenants.plan`, `rate_limit_overrides` or `timezone`: the next request uses them.
 */
export async function pushTenantLimits(
  env: Env,
  tenantId: string,
  limits: { plan: string; overrides: unknown; timezone: string | null },
): Promise<TenantLimits> {
  return limiterStub(env, tenantId).setLimits(tenantId, limits);
}

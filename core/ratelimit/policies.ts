// The seed's numbers (the contract) and how a tenant's plan and overrides turn into policies.
import type { RatePolicy } from "./token-window.ts";

export const PLANS = ["free", "pro", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

/** Per user per minute, by the tenant's plan. */
export const PLAN_LIMITS: Record<Plan, { perMinute: number; burst: number }> = {
  free: { perMinute: 100, burst: 20 },
  pro: { perMinute: 1_000, burst: 100 },
  enterprise: { perMinute: 10_000, burst: 1_000 },
};

/** Per client IP, before authentication. No separate burst: the whole minute may be spent at once. */
export const IP_PER_MINUTE = 1_000;

/** Daily quotas per tenant (the tenant's local day). */
export const DAILY_QUOTAS = {
  "whatsapp:send": 1_000,
} as const;
export type DailyQuotaName = keyof typeof DAILY_QUOTAS;

export const DEFAULT_TIME_ZONE = "America/Mexico_City";

/**
 * Keys accepted in `tenants.rate_limit_overrides` (jsonb), all positive integers:
 * - `userPerMinute`, `userBurst`: replace the plan's per-user numbers;
 * - a daily quota name (`whatsapp:send`): replaces that quota's per-day limit.
 */
export const OVERRIDE_KEYS = [
  "userPerMinute",
  "userBurst",
  ...(Object.keys(DAILY_QUOTAS) as DailyQuotaName[]),
] as const;
export type OverrideKey = (typeof OVERRIDE_KEYS)[number];
export type RateLimitOverrides = Partial<Record<OverrideKey, number>>;

/** Drops unknown keys and values that are not positive safe integers (the column is free-form jsonb). */
export function sanitizeOverrides(raw: unknown): RateLimitOverrides {
  const out: RateLimitOverrides = {};
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return out;
  for (const key of OVERRIDE_KEYS) {
    const v = (raw as Record<string, unknown>)[key];
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 1) out[key] = v;
  }
  return out;
}

export function isPlan(value: unknown): value is Plan {
  return typeof value === "string" && (PLANS as readonly string[]).includes(value);
}

/**
 * The per-user policy: plan numbers, then overrides, then `scale` (test runs only: a multiplier so
 * suites that fire many requests are not throttled; production requires 1). An override that makes
 * the burst exceed the per-minute limit is clamped to the limit.
 */
export function userPolicy(plan: Plan, overrides: RateLimitOverrides = {}, scale = 1): RatePolicy {
  const base = PLAN_LIMITS[plan] ?? PLAN_LIMITS.free;
  const limit = (overrides.userPerMinute ?? base.perMinute) * scale;
  const burst = Math.min(limit, (overrides.userBurst ?? base.burst) * scale);
  return { limit, burst, windowSeconds: 60 };
}

export function ipPolicy(perMinute = IP_PER_MINUTE, scale = 1): RatePolicy {
  return { limit: perMinute * scale, burst: perMinute * scale, windowSeconds: 60 };
}

/**
 * Per public proposal link (one link = one client): reading the page and its PDF, and posting a
 * decision. Generous for a person on a phone (reloads, a second tab), tight enough that a leaked
 * link cannot be used to hammer the page or spray form posts.
 */
export const PUBLIC_LINK_LIMITS = {
  read: { perMinute: 60, burst: 20 },
  decide: { perMinute: 10, burst: 5 },
} as const;

export function publicLinkPolicy(kind: keyof typeof PUBLIC_LINK_LIMITS, scale = 1): RatePolicy {
  const l = PUBLIC_LINK_LIMITS[kind];
  return { limit: l.perMinute * scale, burst: l.burst * scale, windowSeconds: 60 };
}

export function isDailyQuotaName(name: string): name is DailyQuotaName {
  return Object.hasOwn(DAILY_QUOTAS, name);
}

export function dailyQuotaLimit(name: DailyQuotaName, overrides: RateLimitOverrides = {}): number {
  return overrides[name] ?? DAILY_QUOTAS[name];
}

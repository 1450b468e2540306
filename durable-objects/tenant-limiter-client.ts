// How the rest of the Worker talks to TenantLimiterDO: one stub per tenant (or per IP scope).
import type { Env } from "../platform/env.ts";
import type { LimitDecision, LimitScope, QuotaResult, TenantLimiterDO, TenantLimits } from "./tenant-limiter.ts";
import { isDailyQuotaName } from "../core/ratelimit/policies.ts";
import { LeaseCache, type AcquirePlan, type OwnerFigures } from "../core/ratelimit/lease-cache.ts";
import type { RatePolicy } from "../core/ratelimit/token-window.ts";

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
 * change to `tenants.plan`, `rate_limit_overrides` or `timezone`: the next request uses them in
 * this isolate; other isolates stop spending their leases under the old plan within LEASE_TTL_MS.
 */
export async function pushTenantLimits(
  env: Env,
  tenantId: string,
  limits: { plan: string; overrides: unknown; timezone: string | null },
): Promise<TenantLimits> {
  const pushed = await limiterStub(env, tenantId).setLimits(tenantId, limits);
  leases.release(userLeasePrefix(tenantId));
  return pushed;
}

// ---- leased decisions (the request path) -----------------------------------------------------------

/** This isolate's leases, for every limiter object it talks to. */
const leases = new LeaseCache();

/** A limit decision as the request path needs it; `leased` when no round trip to the object was made. */
export interface LeasedDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
  retryAfterSeconds: number;
  windowSeconds: number;
  leased: boolean;
}

export interface LeasedLimit {
  /** The limiter object's name (`idFromName`). */
  object: string;
  /** The key inside it, as the object's scope names it. */
  scope: LimitScope;
  /** Test runs only: the clock of this decision (ms since epoch). */
  now: number | undefined;
  /** How long to wait for the object before giving up (throws). */
  timeoutMs: number;
  /** Background renewals run here (`ctx.waitUntil`). */
  waitUntil: (promise: Promise<unknown>) => void;
  /** A background renewal that failed (it is retried by the next request that needs one). */
  onRenewalError: (err: unknown) => void;
}

const userLeasePrefix = (tenantId: string) => `${tenantId}|`;

/** The policy when the caller states it (per IP, per link); a user's comes from the owner. */
function policyOf(limit: LeasedLimit): RatePolicy | undefined {
  return limit.scope.kind === "key" ? limit.scope.policy : undefined;
}

function cacheKey(limit: LeasedLimit): string {
  return limit.scope.kind === "user"
    ? `${userLeasePrefix(limit.scope.tenantId)}${limit.scope.userId}`
    : `${limit.object}|${limit.scope.key}`;
}

/** `promise`, or a LimiterUnavailableError after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimiterUnavailableError(`rate limiter did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Figures for a token spent from a lease: the owner's last answer, moved on by what was spent here since. */
function fromLease(f: OwnerFigures, held: number, clock: number): LeasedDecision {
  const windowMs = f.policy.windowSeconds * 1000;
  const remaining = Math.min(f.policy.limit, f.remaining + held);
  const refillMs = ((f.policy.burst - Math.min(f.policy.burst, remaining)) * windowMs) / f.policy.limit;
  const resetMs = Math.max(f.resetMs - (clock - f.at), refillMs);
  return {
    allowed: true,
    limit: f.policy.limit,
    remaining,
    resetSeconds: Math.max(0, Math.ceil(resetMs / 1000)),
    retryAfterSeconds: 0,
    windowSeconds: f.policy.windowSeconds,
    leased: true,
  };
}

function fromOwner(d: LimitDecision, held: number): LeasedDecision {
  return {
    allowed: d.allowed,
    limit: d.limit,
    remaining: Math.min(d.limit, d.remaining + held),
    resetSeconds: d.resetSeconds,
    retryAfterSeconds: d.retryAfterSeconds,
    windowSeconds: d.policy.windowSeconds,
    leased: false,
  };
}

function ask(env: Env, limit: LeasedLimit, plan: AcquirePlan, take: 0 | 1): Promise<LimitDecision> {
  const stub = limiterStub(env, limit.object);
  const request = { take, want: plan.want, returns: plan.returns };
  return withTimeout(
    stub.acquire(limit.scope, request, limit.now === undefined ? {} : { now: limit.now }),
    limit.timeoutMs,
  );
}

function renewInBackground(env: Env, limit: LeasedLimit, key: string, clock: number): void {
  const plan = leases.begin(key, clock, true, policyOf(limit));
  if (!plan) return;
  limit.waitUntil(
    ask(env, limit, plan, 0).then(
      (d) => leases.settle(key, clock, d.policy, d, true),
      (err: unknown) => {
        leases.failed(key, plan, true);
        limit.onRenewalError(err);
      },
    ),
  );
}

/**
 * One request's decision for one limit: a token from this isolate's lease when it holds one (no
 * round trip), else the object's decision, which also leases tokens for the next requests.
 * Throws when the object cannot answer (the caller applies the failure rule).
 */
export async function decideLeased(env: Env, limit: LeasedLimit): Promise<LeasedDecision> {
  const key = cacheKey(limit);
  const clock = limit.now ?? Date.now();
  const spent = leases.spend(key, clock);
  if (spent) {
    if (spent.renew) renewInBackground(env, limit, key, clock);
    return fromLease(spent.figures, spent.held, clock);
  }
  const plan = leases.begin(key, clock, false, policyOf(limit))!;
  let d: LimitDecision;
  try {
    d = await ask(env, limit, plan, 1);
  } catch (err) {
    leases.failed(key, plan, false);
    throw err;
  }
  leases.settle(key, clock, d.policy, d, false);
  if (!d.allowed) {
    // Another request's answer may have leased tokens to this isolate meanwhile.
    const again = leases.spend(key, clock);
    if (again) return fromLease(again.figures, again.held, clock);
  }
  return fromOwner(d, leases.heldFor(key));
}

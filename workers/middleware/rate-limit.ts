// Rate limits on the request path (README.md): per IP before authentication, so floods of bad
// tokens cost one limiter decision and no JWT work; per user after authentication, by the
// tenant's plan, in the tenant's TenantLimiterDO. Every limited response carries RateLimit-Policy
// and RateLimit (one item per policy); a 429 also carries Retry-After.
//
// Failure rule: when the limiter cannot answer (Durable Object error, timeout, missing binding),
// reads (GET, HEAD, OPTIONS) go through and writes get 503 — an outage of the limiter must not
// take the API down, and must not let unmetered writes through. Either way the request's log line
// says so (`rateLimit.*.decision = "error-open" | "error-closed"`).
import type { Context, MiddlewareHandler, Next } from "hono";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import type { HonoEnv } from "../context.ts";
import type { Config } from "../../platform/env.ts";
import { AppError } from "../http/problem.ts";
import { timed } from "../http/server-timing.ts";
import { ipPolicy, IP_PER_MINUTE } from "../../core/ratelimit/policies.ts";
import { formatPolicyItem, formatStateItem } from "../../core/ratelimit/headers.ts";
import { decideLeased, withTimeout, type LeasedDecision } from "../../durable-objects/tenant-limiter-client.ts";
import type { LimitScope } from "../../durable-objects/tenant-limiter.ts";
import type { RatePolicy } from "../../core/ratelimit/token-window.ts";

/** Requests without CF-Connecting-IP (local dev, in-process sub-requests) share this key. */
export const LOCAL_IP_KEY = "local";
/** Test runs only: `x-test-now` (ms since epoch) replaces the limiter's clock when ENVIRONMENT=test. */
const TEST_CLOCK_HEADER = "x-test-now";

/** One policy's decision for this request, whichever limiter made it (`leased`: no round trip was made). */
type Outcome = LeasedDecision & { name: "ip" | "user" | "link" };

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The client address as Cloudflare saw it. Never X-Forwarded-For (client-controlled). IPv6 clients
 * are limited per /64, the smallest block a single subscriber normally gets.
 */
export function clientKey(header: string | undefined): string {
  const ip = header?.trim();
  if (!ip) return LOCAL_IP_KEY;
  if (!ip.includes(":")) return ip;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") && tail ? tail.split(":") : [];
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

function testNow(c: Context<HonoEnv>, config: Config): number | undefined {
  if (config.ENVIRONMENT !== "test") return undefined;
  const raw = c.req.header(TEST_CLOCK_HEADER);
  return raw && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** Decision time in ms (workerd's clock advances across I/O, which is what this measures). */
function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

/**
 * The decision of the limiter object `object` for `scope`: from this isolate's lease when it holds
 * tokens (no round trip), else from the object (see core/ratelimit/lease.ts for the bound).
 */
async function objectDecision(
  c: Context<HonoEnv>,
  name: Outcome["name"],
  object: string,
  scope: LimitScope,
): Promise<Outcome> {
  const config = c.get("config");
  const d = await decideLeased(c.env, {
    object,
    scope,
    now: testNow(c, config),
    timeoutMs: config.RATE_LIMIT_TIMEOUT_MS,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    onRenewalError: (err) => c.get("logger").warn(`rate limiter lease renewal failed (${name})`, {}, err),
  });
  return { name, ...d };
}

function headerItems(o: Outcome): { policy: string; state: string } {
  return {
    policy: formatPolicyItem({ name: o.name, quota: o.limit, windowSeconds: o.windowSeconds }),
    state: formatStateItem({ name: o.name, remaining: o.remaining, resetSeconds: o.resetSeconds }),
  };
}

function rateLimitLog(c: Context<HonoEnv>): Record<string, unknown> {
  const fields = c.get("logFields");
  const existing = fields.rateLimit;
  if (existing && typeof existing === "object") return existing as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  fields.rateLimit = created;
  return created;
}

/** Adds this policy's items to the response (after the handler or the error renderer ran). */
function appendHeaders(c: Context<HonoEnv>, o: Outcome): void {
  const { policy, state } = headerItems(o);
  try {
    c.res.headers.append("RateLimit-Policy", policy);
    c.res.headers.append("RateLimit", state);
  } catch {
    // Immutable headers (a response passed through from fetch): copy it once.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.append("RateLimit-Policy", policy);
    c.res.headers.append("RateLimit", state);
  }
}

function tooMany(o: Outcome, detail: string): AppError {
  const { policy, state } = headerItems(o);
  return new AppError("RATE_LIMITED", detail, {
    headers: { "retry-after": String(o.retryAfterSeconds), "ratelimit-policy": policy, ratelimit: state },
    extensions: { retryAfter: o.retryAfterSeconds },
  });
}

/** The fail-open/fail-closed rule; returns normally when the request may proceed. */
function limiterFailed(c: Context<HonoEnv>, which: Outcome["name"], err: unknown): void {
  const open = READ_METHODS.has(c.req.method);
  rateLimitLog(c)[which] = {
    decision: open ? "error-open" : "error-closed",
    error: err instanceof Error ? err.message : String(err),
  };
  c.get("logger").error(
    `rate limiter unreachable (${which}); ${open ? "failing open for a read" : "failing closed for a write"}`,
    {},
    err,
  );
  if (!open) {
    throw new AppError("SERVICE_UNAVAILABLE", "the rate limiter is unavailable; retry shortly", {
      headers: { "retry-after": "1" },
    });
  }
}

/** One policy applied to the request: the limiter's answer, or how to tell it could not answer. */
interface Limit {
  name: Outcome["name"];
  /** Asks the limiter (within RATE_LIMIT_TIMEOUT_MS per call, 2 s by default); throws when it cannot answer. */
  decide: () => Promise<Outcome>;
  /** The 429's detail. */
  refusal: (o: Outcome) => string;
  /** The log entry's fields besides decision, remaining and ms. */
  logFields?: (o: Outcome) => Record<string, unknown>;
}

/**
 * The sequence every limit shares: the failure rule when the limiter cannot answer, one log entry
 * per decision, a 429 when limited, else the request with this policy's headers on its response.
 */
async function enforce(c: Context<HonoEnv>, next: Next, limit: Limit): Promise<void> {
  let outcome: Outcome;
  const started = performance.now();
  try {
    outcome = await timed(c, "limit", limit.decide);
  } catch (err) {
    limiterFailed(c, limit.name, err);
    return next();
  }
  rateLimitLog(c)[limit.name] = {
    decision: outcome.allowed ? "allowed" : "limited",
    remaining: outcome.remaining,
    ...limit.logFields?.(outcome),
    ms: elapsed(started),
  };
  if (!outcome.allowed) throw tooMany(outcome, limit.refusal(outcome));
  await next();
  appendHeaders(c, outcome);
}

// ---- per IP ---------------------------------------------------------------------------------------

// Per isolate: one Ratelimit per (Redis, limit), sharing one ephemeral cache so an IP that is
// already blocked is refused without a network call until its window resets.
const upstashLimiters = new Map<string, Ratelimit>();
const ephemeralCache = new Map<string, number>();

function upstashLimiter(config: Config, perMinute: number): Ratelimit | undefined {
  const url = config.UPSTASH_REDIS_REST_URL;
  const token = config.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) return undefined;
  const id = `${url}|${perMinute}`;
  let limiter = upstashLimiters.get(id);
  if (!limiter) {
    limiter = new Ratelimit({
      redis: new Redis({ url, token, enableTelemetry: false }),
      // Upstash's sliding window weighs the previous fixed window: an approximation, which is fine
      // for a flood guard (the exact per-user limits live in the Durable Object).
      limiter: Ratelimit.slidingWindow(perMinute, "60 s"),
      prefix: "crm:rl:ip",
      ephemeralCache,
      analytics: false,
      // The library's own timeout lets the request through; 0 disables it so that our timeout and
      // failure rule apply instead.
      timeout: 0,
    });
    upstashLimiters.set(id, limiter);
  }
  return limiter;
}

async function upstashDecision(c: Context<HonoEnv>, limiter: Ratelimit, key: string): Promise<Outcome> {
  const now = Date.now();
  const r = await withTimeout(limiter.limit(key), c.get("config").RATE_LIMIT_TIMEOUT_MS);
  c.executionCtx.waitUntil(r.pending);
  const resetSeconds = Math.max(0, Math.ceil((r.reset - now) / 1000));
  return {
    name: "ip",
    allowed: r.success,
    limit: r.limit,
    remaining: r.remaining,
    resetSeconds,
    retryAfterSeconds: r.success ? 0 : Math.max(1, resetSeconds),
    windowSeconds: 60,
    leased: false,
  };
}

function durableObjectIpDecision(c: Context<HonoEnv>, key: string, perMinute: number): Promise<Outcome> {
  const scope: LimitScope = {
    kind: "key",
    key: `ip:${key}`,
    policy: ipPolicy(perMinute, c.get("config").RATE_LIMIT_SCALE),
  };
  return objectDecision(c, "ip", `ip:${key}`, scope);
}

/** Per-IP limit (1,000/min): Upstash when configured (the Durable Object if Upstash fails), else the Durable Object. */
export const ipRateLimit: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const path = c.req.path;
  // Provider webhooks come from a few provider IPs and are authenticated by signature; health
  // checks come from monitors. Neither is a client of the API.
  if (path.startsWith("/webhooks/") || path === "/healthz" || path === "/readyz") return next();
  const config = c.get("config");
  const address = c.req.header("cf-connecting-ip");
  // Cloudflare sets CF-Connecting-IP on every request from the internet; in production a request
  // without it is an in-process sub-request (e.g. an idempotent replay re-reading its resource)
  // whose outer request was already limited. Locally, everything shares LOCAL_IP_KEY.
  if (!address && config.ENVIRONMENT === "production") {
    rateLimitLog(c).ip = { decision: "skipped-internal" };
    return next();
  }
  const key = clientKey(address);
  const perMinute = IP_PER_MINUTE;
  let source = "durable-object";
  return enforce(c, next, {
    name: "ip",
    decide: async () => {
      const upstash = upstashLimiter(config, perMinute * config.RATE_LIMIT_SCALE);
      if (upstash) {
        source = "upstash";
        try {
          return await upstashDecision(c, upstash, key);
        } catch (err) {
          c.get("logger").warn("upstash rate limiter failed; using the Durable Object", {}, err);
          source = "durable-object";
        }
      }
      return durableObjectIpDecision(c, key, perMinute);
    },
    refusal: (o) => `too many requests from this address; retry in ${o.retryAfterSeconds} s`,
    logFields: (o) => (source === "upstash" ? { source } : { source, leased: o.leased }),
  });
};

// ---- per user -------------------------------------------------------------------------------------

/** Per-user limit by the tenant's plan (after `authenticate`), decided by the tenant's TenantLimiterDO. */
export const userRateLimit: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const config = c.get("config");
  const auth = c.get("auth");
  return enforce(c, next, {
    name: "user",
    decide: () =>
      objectDecision(c, "user", auth.tenantId, {
        kind: "user",
        tenantId: auth.tenantId,
        userId: auth.userId,
        scale: config.RATE_LIMIT_SCALE,
      }),
    refusal: (o) => `rate limit of ${o.limit} requests per minute exceeded; retry in ${o.retryAfterSeconds} s`,
    logFields: (o) => ({ limit: o.limit, leased: o.leased }),
  });
};

// ---- per key (public proposal links) ---------------------------------------------------------------

/**
 * A limit on an arbitrary key (e.g. one public link), decided by the Durable Object for that key.
 * `key` returns undefined to skip (e.g. a malformed link that will be a 404 anyway).
 */
export function keyedRateLimit(
  name: "link",
  key: (c: Context<HonoEnv>) => Promise<string | undefined>,
  policy: (c: Context<HonoEnv>, scale: number) => RatePolicy,
): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    const config = c.get("config");
    const k = await key(c);
    if (!k) return next();
    const object = `${name}:${k}`;
    return enforce(c, next, {
      name,
      decide: () =>
        objectDecision(c, name, object, { kind: "key", key: object, policy: policy(c, config.RATE_LIMIT_SCALE) }),
      refusal: (o) => `too many requests for this link; retry in ${o.retryAfterSeconds} s`,
    });
  };
}

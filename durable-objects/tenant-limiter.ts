// TenantLimiterDO: one per tenant (`idFromName(tenantId)`), and one per client IP (`ip:{addr}`)
// when Upstash is not configured. It is the single clock and the single writer for its keys, so
// decisions are exact under any concurrency: each RPC reads, decides and writes its state
// synchronously (no await in between), and the runtime delivers one event at a time.
//
// Storage (SQLite, `ctx.storage.sql`):
// - per-minute buckets and grant logs live in memory and are written BEHIND to SQLite at most
//   FLUSH_MS later. A write in a request's event would hold that response until the write is
//   durable (the output gate): locally that costs ~15 ms per decision against a < 1 ms target. The
//   price: if the object restarts (deploy, crash) within FLUSH_MS of a grant, those grants are
//   forgotten, i.e. at most FLUSH_MS worth of grants may be admitted twice — once per restart.
//   A restart after idling loses nothing (the state is reloaded from SQLite).
// - daily quotas are written THROUGH (the answer waits until the count is durable): a quota
//   guards money (WhatsApp sends), is called rarely, and must not be lost.
//
// It is also the holder of its tenant's limits (plan, overrides, time zone): loaded from Postgres
// on first use (one round trip, then kept in its storage), replaced by `setLimits` whenever
// something changes the plan, and re-read in the background after LIMITS_TTL_MS as a safety net
// for changes made behind the API's back (e.g. SQL by hand). So requests never pay a database
// round trip for their limits, and a plan change made through the API applies to the next request.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../platform/env.ts";
import { loadConfig } from "../platform/env.ts";
import { initialState, MemoryGrantLog, type LimiterState, type RatePolicy } from "../core/ratelimit/token-window.ts";
import {
  DEFAULT_TIME_ZONE,
  dailyQuotaLimit,
  isDailyQuotaName,
  isPlan,
  sanitizeOverrides,
  userPolicy,
  type Plan,
  type RateLimitOverrides,
} from "../core/ratelimit/policies.ts";
import { consumeDaily, safeTimeZone } from "../core/ratelimit/daily-quota.ts";
import {
  acquire,
  KEY_LEASE_TTL_MS,
  LEASE_TTL_MS,
  LeaseBook,
  type AcquireOutcome,
  type AcquireRequest,
} from "../core/ratelimit/lease.ts";
import { tenantWork } from "../platform/work.ts";
import { getTenantLimits } from "../db/tenants/tenant-store.ts";

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the full burst is available again. */
  resetSeconds: number;
  /** Seconds to wait before retrying (0 when allowed). */
  retryAfterSeconds: number;
  policy: RatePolicy;
  /** Tokens leased to the caller to spend locally (core/ratelimit/lease.ts), with the decision. */
  lease?: AcquireOutcome["lease"];
  /** The same figures in ms, for a caller that keeps them (lease holders). */
  resetMs: number;
}

/** Which limit an acquire is for: a user of this tenant (policy from the plan), or a key with its own policy. */
export type LimitScope =
  { kind: "user"; tenantId: string; userId: string; scale?: number } | { kind: "key"; key: string; policy: RatePolicy };

export interface QuotaResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Next local midnight in the tenant's time zone, ms since epoch. */
  resetAt: number;
}

export interface TenantLimits {
  plan: Plan;
  overrides: RateLimitOverrides;
  timezone: string;
  /** Where the limits came from: the database, a push from the API, or plan defaults (no tenant row). */
  source: "database" | "pushed" | "default";
  loadedAt: number;
}

/** Test runs only (ENVIRONMENT=test): a caller-supplied clock, so window roll-over is testable without sleeping. */
export interface ClockOption {
  now?: number;
}

/** Background refresh of the limits from Postgres, for changes that did not go through `setLimits`. */
export const LIMITS_TTL_MS = 5 * 60_000;
/** A plain decision: the request's own token, nothing leased. */
const ONE_TOKEN: AcquireRequest = { take: 1, want: 0, returns: [] };
/** Write-behind delay for per-minute limiter state. */
const FLUSH_MS = 1_000;
/** How often the alarm sweeps idle keys. */
const SWEEP_EVERY_MS = 10 * 60_000;
/** Daily usage rows are kept this long after their last use (covers any time zone's day). */
const QUOTA_RETENTION_MS = 48 * 3_600_000;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS buckets (
     key TEXT PRIMARY KEY,
     scaled_tokens INTEGER NOT NULL,
     refilled_at INTEGER NOT NULL,
     window_count INTEGER NOT NULL,
     granted INTEGER NOT NULL,
     window_ms INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS grants (
     key TEXT NOT NULL,
     at INTEGER NOT NULL,
     units INTEGER NOT NULL,
     cumulative INTEGER NOT NULL,
     PRIMARY KEY (key, at)
   ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS grants_cumulative ON grants (key, cumulative)`,
  `CREATE TABLE IF NOT EXISTS quotas (
     key TEXT PRIMARY KEY,
     day TEXT NOT NULL,
     used INTEGER NOT NULL,
     touched_at INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS tenant_limits (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     tenant_id TEXT NOT NULL,
     plan TEXT NOT NULL,
     overrides TEXT NOT NULL,
     timezone TEXT NOT NULL,
     source TEXT NOT NULL,
     loaded_at INTEGER NOT NULL
   )`,
];

/** One key's limiter state, authoritative in memory while the object lives. */
interface Entry {
  state: LimiterState;
  log: MemoryGrantLog;
  windowMs: number;
  /** Changed since the last flush. */
  dirty: boolean;
  /** Log entries at or after this instant are not yet (fully) in SQLite. */
  unflushedFrom: number;
  /** Open leases of this key (memory only: after a restart, earlier leases no longer count toward the cap). */
  book: LeaseBook;
}

export class TenantLimiterDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private limits: TenantLimits | undefined;
  private loading: Promise<TenantLimits> | undefined;
  private sweepScheduled = false;
  private readonly entries = new Map<string, Entry>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every push, so a database read that started before a push cannot overwrite it. */
  private generation = 0;
  /** Prefix of this instance's lease ids: unique across restarts. */
  private readonly instanceId = crypto.randomUUID().slice(0, 8);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
    const row = this.sql
      .exec<{ plan: string; overrides: string; timezone: string; source: string; loaded_at: number }>(
        "SELECT plan, overrides, timezone, source, loaded_at FROM tenant_limits WHERE id = 1",
      )
      .toArray()[0];
    if (row) {
      this.limits = {
        plan: isPlan(row.plan) ? row.plan : "free",
        overrides: sanitizeOverrides(JSON.parse(row.overrides)),
        timezone: safeTimeZone(row.timezone),
        source: row.source === "pushed" ? "pushed" : row.source === "default" ? "default" : "database",
        loadedAt: row.loaded_at,
      };
    }
  }

  // ---- RPC --------------------------------------------------------------------------------------

  /**
   * The request path's call: decides the caller's own token (`take: 1`) or renews ahead of need
   * (`take: 0`), takes back the leases it returns, and leases it up to `want` tokens to spend
   * locally (bounded by leaseCap across all holders; see core/ratelimit/lease.ts).
   */
  async acquire(scope: LimitScope, request: AcquireRequest, opts: ClockOption = {}): Promise<LimitDecision> {
    let key: string;
    let policy: RatePolicy;
    if (scope.kind === "user") {
      const limits = await this.tenantLimits(scope.tenantId);
      policy = userPolicy(limits.plan, limits.overrides, scope.scale ?? 1);
      key = `user:${scope.userId}`;
    } else {
      ({ key, policy } = scope);
    }
    const ttlMs = scope.kind === "user" ? LEASE_TTL_MS : KEY_LEASE_TTL_MS;
    return this.decideNow(key, policy, this.clock(opts.now), request, ttlMs);
  }

  /** Per-user limit of this tenant, by the tenant's plan and overrides, one request at a time (no lease). `scale`: see userPolicy. */
  async check(tenantId: string, userId: string, opts: ClockOption & { scale?: number } = {}): Promise<LimitDecision> {
    const scope: LimitScope = {
      kind: "user",
      tenantId,
      userId,
      ...(opts.scale === undefined ? {} : { scale: opts.scale }),
    };
    return this.acquire(scope, ONE_TOKEN, opts);
  }

  /** A limit whose policy the caller states, one request at a time (no lease). */
  async checkKey(key: string, policy: RatePolicy, opts: ClockOption = {}): Promise<LimitDecision> {
    return this.acquire({ kind: "key", key, policy }, ONE_TOKEN, opts);
  }

  /**
   * Consumes `n` units of a daily tenant quota (all or nothing), counted in the tenant's local day.
   * The limit is `opts.limit`, else the tenant's override, else the default (DAILY_QUOTAS).
   */
  async consume(
    tenantId: string,
    name: string,
    n: number,
    opts: ClockOption & { limit?: number; timezone?: string } = {},
  ): Promise<QuotaResult> {
    const limits = await this.tenantLimits(tenantId);
    if (opts.limit === undefined && !isDailyQuotaName(name))
      throw new RangeError(`unknown daily quota ${name} (pass a limit)`);
    const limit = opts.limit ?? dailyQuotaLimit(name as Parameters<typeof dailyQuotaLimit>[0], limits.overrides);
    const timeZone = safeTimeZone(opts.timezone ?? limits.timezone);
    const now = this.clock(opts.now);
    // Synchronous from here: read, decide, write.
    const row = this.sql
      .exec<{ day: string; used: number }>("SELECT day, used FROM quotas WHERE key = ?", name)
      .toArray()[0];
    const d = consumeDaily(row, { limit, timeZone }, now, n);
    this.sql.exec(
      `INSERT INTO quotas (key, day, used, touched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET day = excluded.day, used = excluded.used, touched_at = excluded.touched_at`,
      name,
      d.usage.day,
      d.usage.used,
      now,
    );
    this.scheduleSweep();
    return { allowed: d.allowed, limit: d.limit, remaining: d.remaining, resetAt: d.resetAt };
  }

  /** Replaces the tenant's limits (called by whatever changed them, right after its commit). */
  async setLimits(
    tenantId: string,
    limits: { plan: string; overrides: unknown; timezone: string | null },
  ): Promise<TenantLimits> {
    this.generation++;
    return this.store(tenantId, limits, "pushed", Date.now());
  }

  async getLimits(tenantId: string): Promise<TenantLimits> {
    return this.tenantLimits(tenantId);
  }

  /** Drops keys that are back to their initial state, and daily counts of past days. */
  override async alarm(): Promise<void> {
    this.sweepScheduled = false;
    const now = Date.now();
    this.flush();
    for (const [key, e] of this.entries) if (e.state.refilledAt <= now - e.windowMs) this.entries.delete(key);
    // A key idle for a whole window has a full bucket (burst ≤ limit refills within W) and an empty
    // log: deleting it changes no future decision.
    this.sql.exec("DELETE FROM grants WHERE key IN (SELECT key FROM buckets WHERE refilled_at <= ? - window_ms)", now);
    this.sql.exec("DELETE FROM buckets WHERE refilled_at <= ? - window_ms", now);
    this.sql.exec("DELETE FROM quotas WHERE touched_at <= ?", now - QUOTA_RETENTION_MS);
    const left = this.sql
      .exec<{ n: number }>("SELECT (SELECT count(*) FROM buckets) + (SELECT count(*) FROM quotas) AS n")
      .one().n;
    if (left > 0) this.scheduleSweep();
  }

  // ---- internals --------------------------------------------------------------------------------

  private clock(now: number | undefined): number {
    return now !== undefined && this.env.ENVIRONMENT === "test" ? now : Date.now();
  }

  private decideNow(
    key: string,
    policy: RatePolicy,
    now: number,
    request: AcquireRequest,
    ttlMs: number,
  ): LimitDecision {
    const w = policy.windowSeconds * 1000;
    const entry = this.entry(key, policy, now);
    if (entry.windowMs !== w) {
      // The policy's window changed: tokens are stored scaled by the window, so rescale.
      entry.state.scaledTokens = Math.floor((entry.state.scaledTokens / entry.windowMs) * w);
      entry.windowMs = w;
    }
    const d = acquire(policy, entry.state, entry.log, entry.book, now, request, ttlMs);
    // A return rewrites the log from the returned lease's grant on (units and running totals).
    if (d.refundedFrom !== undefined) entry.unflushedFrom = Math.min(entry.unflushedFrom, d.refundedFrom);
    entry.dirty = true;
    this.scheduleFlush();
    this.scheduleSweep();
    return {
      allowed: d.allowed,
      limit: d.limit,
      remaining: d.remaining,
      resetSeconds: Math.ceil(d.resetMs / 1000),
      resetMs: d.resetMs,
      retryAfterSeconds: d.allowed ? 0 : Math.max(1, Math.ceil(d.retryAfterMs / 1000)),
      policy,
      ...(d.lease ? { lease: d.lease } : {}),
    };
  }

  /** The key's state: memory, else what SQLite has (after a restart), else a fresh bucket. */
  private entry(key: string, policy: RatePolicy, now: number): Entry {
    const hit = this.entries.get(key);
    if (hit) return hit;
    const row = this.sql
      .exec<{ scaled_tokens: number; refilled_at: number; window_count: number; granted: number; window_ms: number }>(
        "SELECT scaled_tokens, refilled_at, window_count, granted, window_ms FROM buckets WHERE key = ?",
        key,
      )
      .toArray()[0];
    const log = new MemoryGrantLog();
    let entry: Entry;
    if (row) {
      for (const g of this.sql.exec<{ at: number; units: number; cumulative: number }>(
        "SELECT at, units, cumulative FROM grants WHERE key = ? ORDER BY at",
        key,
      )) {
        log.add(g.at, g.units, g.cumulative);
      }
      const state: LimiterState = {
        scaledTokens: row.scaled_tokens,
        refilledAt: row.refilled_at,
        windowCount: row.window_count,
        granted: row.granted,
      };
      entry = {
        state,
        log,
        windowMs: row.window_ms,
        dirty: false,
        unflushedFrom: log.newest ?? 0,
        book: this.newBook(),
      };
    } else {
      entry = {
        state: initialState(policy, now),
        log,
        windowMs: policy.windowSeconds * 1000,
        dirty: true,
        unflushedFrom: 0,
        book: this.newBook(),
      };
    }
    this.entries.set(key, entry);
    return entry;
  }

  private newBook(): LeaseBook {
    return new LeaseBook(this.instanceId);
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, FLUSH_MS);
  }

  /** Writes changed keys to SQLite, in one synchronous block (one implicit transaction). */
  private flush(): void {
    for (const [key, e] of this.entries) {
      if (!e.dirty) continue;
      this.sql.exec(
        `INSERT INTO buckets (key, scaled_tokens, refilled_at, window_count, granted, window_ms) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET scaled_tokens = excluded.scaled_tokens, refilled_at = excluded.refilled_at,
           window_count = excluded.window_count, granted = excluded.granted, window_ms = excluded.window_ms`,
        key,
        e.state.scaledTokens,
        e.state.refilledAt,
        e.state.windowCount,
        e.state.granted,
        e.windowMs,
      );
      // Expired grants are exactly those with a running total ≤ granted − windowCount.
      this.sql.exec("DELETE FROM grants WHERE key = ? AND cumulative <= ?", key, e.state.granted - e.state.windowCount);
      for (const g of e.log.since(e.unflushedFrom)) {
        this.sql.exec(
          `INSERT INTO grants (key, at, units, cumulative) VALUES (?, ?, ?, ?)
           ON CONFLICT (key, at) DO UPDATE SET units = excluded.units, cumulative = excluded.cumulative`,
          key,
          g.at,
          g.units,
          g.cumulative,
        );
      }
      // The newest entry may still grow (more grants in the same ms): rewrite it next time.
      e.unflushedFrom = e.log.newest ?? e.unflushedFrom;
      e.dirty = false;
    }
  }

  private scheduleSweep(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    void this.ctx.storage
      .getAlarm()
      .then((current) => {
        if (current === null) return this.ctx.storage.setAlarm(Date.now() + SWEEP_EVERY_MS);
      })
      .catch(() => {
        this.sweepScheduled = false; // try again with the next decision
      });
  }

  private async tenantLimits(tenantId: string): Promise<TenantLimits> {
    const limits = this.limits;
    if (limits) {
      if (Date.now() - limits.loadedAt > LIMITS_TTL_MS && !this.loading) {
        // Stale-while-revalidate: this request uses what we have.
        this.ctx.waitUntil(this.load(tenantId).catch(() => undefined));
      }
      return limits;
    }
    return this.load(tenantId);
  }

  /** One load at a time: concurrent first requests share it. */
  private load(tenantId: string): Promise<TenantLimits> {
    this.loading ??= this.readFromDatabase(tenantId).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async readFromDatabase(tenantId: string): Promise<TenantLimits> {
    const generation = this.generation;
    const config = loadConfig(this.env);
    // No caller: the tenant row is read under RLS for this tenant only, without provisioning anyone.
    const uow = tenantWork(config, tenantId, undefined, (promise) => this.ctx.waitUntil(promise));
    const [rows] = await uow.run([getTenantLimits(tenantId)]);
    const row = rows[0];
    if (generation !== this.generation && this.limits) return this.limits;
    // No such tenant: the strictest plan; the request itself is refused later (app_begin_request).
    // Re-read after the TTL in case the tenant is created meanwhile.
    if (!row)
      return this.store(tenantId, { plan: "free", overrides: {}, timezone: DEFAULT_TIME_ZONE }, "default", Date.now());
    return this.store(tenantId, row, "database", Date.now());
  }

  private store(
    tenantId: string,
    input: { plan: string; overrides: unknown; timezone: string | null },
    source: TenantLimits["source"],
    now: number,
  ): TenantLimits {
    const limits: TenantLimits = {
      plan: isPlan(input.plan) ? input.plan : "free",
      overrides: sanitizeOverrides(input.overrides),
      timezone: safeTimeZone(input.timezone),
      source,
      loadedAt: now,
    };
    this.sql.exec(
      `INSERT INTO tenant_limits (id, tenant_id, plan, overrides, timezone, source, loaded_at) VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, plan = excluded.plan, overrides = excluded.overrides,
         timezone = excluded.timezone, source = excluded.source, loaded_at = excluded.loaded_at`,
      tenantId,
      limits.plan,
      JSON.stringify(limits.overrides),
      limits.timezone,
      source,
      now,
    );
    this.limits = limits;
    return limits;
  }
}

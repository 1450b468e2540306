import { sql, type SQL } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { drizzle as drizzleWs, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Client } from "@neondatabase/serverless";
import { httpDatabase, requestClient, type Database, type DbSettings } from "./client.ts";
import * as schema from "./schema/index.ts";
import type { Results, Statement } from "./statement.ts";

/** The role for cross-tenant system work (outbox relay, tenant listing); see migration 0002. */
export const SYSTEM_ROLE = "crm_system";

/** Who a unit of work acts for; each kind runs as its own database role (migrations 0001–0004). */
export type WorkScope =
  /** One tenant's data under RLS as `appRole`; `user` (the caller) is provisioned on first use. Omit it for cron/queue work. */
  | {
      kind: "tenant";
      tenantId: string;
      appRole: string;
      user?: { id: string; email: string | undefined; role: string } | undefined;
    }
  /** Cross-tenant system work (list tenants, relay the outbox) as `crm_system`. */
  | { kind: "system" }
  /**
   * A public proposal link: the tenant is the one the link's token hash belongs to (resolved as
   * crm_public inside the same transaction, migration 0004), then `appRole` under that tenant.
   */
  | { kind: "public-link"; tokenHash: string; appRole: string }
  /**
   * A WhatsApp webhook: may read the one live channel whose id the URL names (its tenant and the
   * secrets that check the signature) as `crm_webhook`, nothing else (migration 0008).
   */
  | { kind: "webhook-channel"; channelId: string };

export const PUBLIC_ROLE = "crm_public";
export const WEBHOOK_ROLE = "crm_webhook";

export type InteractiveDatabase = NeonDatabase<typeof schema>;

/** Told the wall-clock ms of each database round trip (a caller's timing, e.g. Server-Timing `db`). */
export type RoundTripTimer = (ms: number) => void;

/**
 * The statements every unit of work starts with, inside its transaction:
 * 1. `role` and `app.tenant_id` (transaction-local), so RLS applies even where the login role is
 *    ignored (PGlite) or is the owner;
 * 2. `app_begin_request` checks the tenant is active and provisions the caller.
 */
function scopeStatements(scope: WorkScope): SQL[] {
  switch (scope.kind) {
    case "public-link":
      return [
        sql`select set_config('role', ${PUBLIC_ROLE}, true), set_config('app.public_token_hash', ${scope.tokenHash}, true), set_config('app.user_id', '', true)`,
        sql`select set_config('app.tenant_id', coalesce((select tenant_id::text from proposals where public_token_hash = ${scope.tokenHash}), ''), true)`,
        sql`select set_config('role', ${scope.appRole}, true)`,
      ];
    case "webhook-channel":
      return [
        sql`select set_config('role', ${WEBHOOK_ROLE}, true), set_config('app.webhook_channel_id', ${scope.channelId}, true), set_config('app.tenant_id', '', true), set_config('app.user_id', '', true)`,
      ];
    case "system":
      return [
        sql`select set_config('role', ${SYSTEM_ROLE}, true), set_config('app.tenant_id', '', true), set_config('app.user_id', '', true)`,
      ];
    case "tenant": {
      const setScope = sql`set_config('role', ${scope.appRole}, true), set_config('app.tenant_id', ${scope.tenantId}, true), set_config('app.user_id', ${scope.user?.id ?? ""}, true)`;
      // Work without a caller (queues, cron) has no one to provision and must still drain a
      // suspended tenant's outbox, so it skips the request check.
      if (!scope.user) return [sql`select ${setScope}`];
      // One statement, so one round trip to Postgres inside the batch: a select list is evaluated
      // left to right, so app_begin_request (SECURITY INVOKER) runs after the role and the scope
      // are set, and its queries run as the app role under RLS.
      return [
        sql`select ${setScope}, app_begin_request(${scope.user.id}::uuid, ${scope.user.email ?? null}::text, ${scope.user.role}::text)`,
      ];
    }
  }
}

/**
 * The only way request code reaches the database. Two modes:
 * - `batch`: ONE HTTP round trip (Neon's non-interactive transaction) carrying the scope and the
 *   statements. The default: write the logic as CTEs/`RETURNING` so it fits.
 * - `interactive`: a WebSocket transaction for work that must read before it decides in code
 *   (~4 round trips to connect, then one per statement). The pool is closed via `waitUntil`.
 */
export class UnitOfWork {
  readonly scope: WorkScope;
  private readonly settings: DbSettings;
  private readonly waitUntil: (promise: Promise<unknown>) => void;
  private readonly onRoundTrip: RoundTripTimer | undefined;
  private http: Database | undefined;

  constructor(
    settings: DbSettings,
    scope: WorkScope,
    waitUntil: (promise: Promise<unknown>) => void,
    onRoundTrip?: RoundTripTimer,
  ) {
    this.settings = settings;
    this.scope = scope;
    this.waitUntil = waitUntil;
    this.onRoundTrip = onRoundTrip;
  }

  /** `work`, reported to onRoundTrip as one round trip (failed ones too: the time was spent). */
  private async roundTrip<T>(work: () => Promise<T>): Promise<T> {
    const report = this.onRoundTrip;
    if (!report) return work();
    const started = performance.now();
    try {
      return await work();
    } finally {
      report(performance.now() - started);
    }
  }

  private get db(): Database {
    this.http ??= httpDatabase(this.settings);
    return this.http;
  }

  /**
   * @param prefix statements run right after the scope, before the work, whose results are
   *   dropped (e.g. claiming an idempotency key: if it fails, nothing else happens).
   */
  async batch<T extends readonly [BatchItem<"pg">, ...BatchItem<"pg">[]]>(
    build: (db: Database) => T,
    prefix: SQL[] = [],
  ): Promise<BatchResponse<T>> {
    const db = this.db;
    const scoped = [...scopeStatements(this.scope), ...prefix];
    const [first, ...rest] = scoped.map((statement) => db.execute(statement));
    if (!first) throw new Error("unreachable: scope has at least one statement");
    const items = [first, ...rest, ...build(db)] as const;
    const results = await this.roundTrip(() => db.batch(items));
    return results.slice(scoped.length) as unknown as BatchResponse<T>;
  }

  /** `batch` over typed statements (db/statement.ts): one round trip, a typed tuple back. */
  async run<S extends readonly [Statement<unknown>, ...Statement<unknown>[]]>(
    statements: S,
    prefix: SQL[] = [],
  ): Promise<Results<S>> {
    const results = (await this.batch(
      (db) => statements.map((s) => s.build(db)) as unknown as [BatchItem<"pg">, ...BatchItem<"pg">[]],
      prefix,
    )) as unknown[];
    return statements.map((statement, i) => statement.read(results[i])) as Results<S>;
  }

  async interactive<R>(work: (tx: InteractiveDatabase) => Promise<R>): Promise<R> {
    let finished = false;
    const client = requestClient(this.settings, (err) => {
      // After the transaction the socket's close is expected; before it, the query rejects anyway.
      if (!finished)
        console.warn(JSON.stringify({ level: "warn", message: "database socket error", error: err.message }));
    });
    if (this.onRoundTrip) timeQueries(client, this.onRoundTrip);
    try {
      await this.roundTrip(() => client.connect());
      const db = drizzleWs({ client, schema });
      return await db.transaction(async (tx) => {
        for (const statement of scopeStatements(this.scope)) await tx.execute(statement);
        return work(tx);
      });
    } finally {
      finished = true;
      this.waitUntil(client.end().catch(() => undefined));
    }
  }
}

/**
 * Reports each query of an interactive transaction (BEGIN and COMMIT included) as the round trip
 * it is, so the code that runs between the statements does not count as database time.
 */
function timeQueries(client: Client, report: RoundTripTimer): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    const started = performance.now();
    const result = query(...args);
    // Callback-style and submittable queries return no promise; the driver (drizzle) uses neither.
    if (!(result instanceof Promise)) return result;
    return result.finally(() => report(performance.now() - started));
  };
}

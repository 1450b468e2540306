import type { Context } from "hono";
import type { HonoEnv } from "./context.ts";
import type { Config } from "./env.ts";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Database, DbSettings } from "../db/client.ts";
import { claimStatements, type WriteTarget } from "./http/idempotency.ts";
import { UnitOfWork } from "../db/unit-of-work.ts";

export function dbSettings(config: Config): DbSettings {
  return {
    url: config.DATABASE_URL,
    fetchEndpoint: config.NEON_FETCH_ENDPOINT,
    wsProxy: config.NEON_WS_PROXY,
  };
}

/** The caller's tenant-scoped unit of work (see db/unit-of-work.ts). */
export function unitOfWork(c: Context<HonoEnv>): UnitOfWork {
  const config = c.get("config");
  const auth = c.get("auth");
  return new UnitOfWork(
    dbSettings(config),
    { tenantId: auth.tenantId, user: { id: auth.userId, email: auth.email, role: auth.role }, appRole: config.DB_APP_ROLE },
    (promise) => c.executionCtx.waitUntil(promise),
  );
}

/**
 * A write: the caller's unit of work with the request's idempotency claim (if any) in the same
 * batch, so the key exists iff the write committed.
 */
export function writeBatch<T extends readonly [BatchItem<"pg">, ...BatchItem<"pg">[]]>(
  c: Context<HonoEnv>,
  target: WriteTarget,
  build: (db: Database) => T,
): Promise<BatchResponse<T>> {
  return unitOfWork(c).batch(build, claimStatements(c, target));
}

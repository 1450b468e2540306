import type { Context } from "hono";
import type { HonoEnv } from "./context.ts";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Database } from "../db/client.ts";
import { claimStatements, type WriteTarget } from "./http/idempotency.ts";
import { type UnitOfWork } from "../db/unit-of-work.ts";
import { tenantWork } from "../platform/work.ts";

/** The caller's tenant-scoped unit of work (see db/unit-of-work.ts). */
export function unitOfWork(c: Context<HonoEnv>): UnitOfWork {
  const auth = c.get("auth");
  return tenantWork(c.get("config"), auth.tenantId, { id: auth.userId, email: auth.email, role: auth.role }, (promise) => c.executionCtx.waitUntil(promise));
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

import type { Context } from "hono";
import type { HonoEnv } from "./context.ts";
import { claimStatements, type WriteTarget } from "./http/idempotency.ts";
import type { UnitOfWork } from "../db/unit-of-work.ts";
import type { Results, Statement } from "../db/statement.ts";
import type { Actor } from "../db/actor.ts";
import { tenantWork } from "../platform/work.ts";
import { dbTimer } from "./http/server-timing.ts";

/** The caller's tenant-scoped unit of work (see db/unit-of-work.ts). */
export function unitOfWork(c: Context<HonoEnv>): UnitOfWork {
  const auth = c.get("auth");
  return tenantWork(
    c.get("config"),
    auth.tenantId,
    { id: auth.userId, email: auth.email, role: auth.role },
    (promise) => c.executionCtx.waitUntil(promise),
    dbTimer(c),
  );
}

/** A write over typed statements (db/statement.ts), with the request's Idempotency-Key claim (if any) in the same batch: the key exists iff the write committed. */
export function writeRun<S extends readonly [Statement<unknown>, ...Statement<unknown>[]]>(
  c: Context<HonoEnv>,
  target: WriteTarget,
  statements: S,
): Promise<Results<S>> {
  return unitOfWork(c).run(statements, claimStatements(c, target));
}

/** A read: the caller's unit of work over typed statements. */
export function readRun<S extends readonly [Statement<unknown>, ...Statement<unknown>[]]>(
  c: Context<HonoEnv>,
  statements: S,
): Promise<Results<S>> {
  return unitOfWork(c).run(statements);
}

/** The caller as the data modules need it (tenant, user, request id for the events). */
export function actorOf(c: Context<HonoEnv>): Actor {
  const auth = c.get("auth");
  return { tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") };
}

import type { Context } from "hono";
import type { StampingContext, StampProblem } from "../../platform/invoicing/stamping.ts";
import type { HonoEnv } from "../context.ts";
import { publish } from "../events/publish.ts";
import { claimStatements, type WriteTarget } from "../http/idempotency.ts";
import { AppError } from "../http/problem.ts";
import { unitOfWork } from "../services.ts";

/** The request as platform/invoicing needs it; the Idempotency-Key claim commits with the first write. */
export function stampingContextOf(c: Context<HonoEnv>, target: WriteTarget): StampingContext {
  const { tenantId, userId } = c.get("auth");
  return {
    config: c.get("config"),
    env: c.env,
    work: unitOfWork(c),
    tenantId,
    userId,
    publish: (events) => publish(c, events),
    logger: c.get("logger"),
    claimPrefix: claimStatements(c, target),
  };
}

export function problemOf(problem: StampProblem): AppError {
  return new AppError(problem.code, problem.detail, {
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...(problem.extensions ? { extensions: problem.extensions } : {}),
  });
}

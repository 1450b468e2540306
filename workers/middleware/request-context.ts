import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../context.ts";
import { loadConfig } from "../../platform/env.ts";
import { createLogger } from "../../platform/logger.ts";
import { newTimings, serverTimingHeader, summarize } from "../http/server-timing.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * First middleware: request id (a well-formed incoming `X-Request-Id` is kept so traces join up),
 * validated config, a request-scoped logger, and the one structured log line per request (with
 * where the time went: http/server-timing.ts, also sent as `Server-Timing` outside production).
 */
export const requestContext: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("logFields", {});
  c.set("timings", newTimings());
  const config = loadConfig(c.env);
  c.set("config", config);
  const logger = createLogger(config, "crm-api", { requestId });
  c.set("logger", logger);

  const started = performance.now();
  await next();
  // The error handler and notFound have already set c.res by now, so their responses get these too;
  // c.header copies a finalized response first, so immutable headers are no concern here.
  c.header("x-request-id", requestId);
  const timings = summarize(c.get("timings"), performance.now() - started);
  if (config.ENVIRONMENT !== "production") c.header("server-timing", serverTimingHeader(timings));

  const auth = c.get("auth") as HonoEnv["Variables"]["auth"] | undefined;
  const status = c.res.status;
  // The route pattern, not the raw path: public proposal links carry their secret in the path.
  const route = c.req.routePath && c.req.routePath !== "/*" ? c.req.routePath : "(unmatched)";
  logger
    .with({ userId: auth?.userId, tenantId: auth?.tenantId })
    .log(status >= 500 ? "error" : status >= 400 ? "warn" : "info", "request", {
      method: c.req.method,
      route,
      status,
      latencyMs: timings.total,
      timings,
      ...c.get("logFields"),
    });
};

import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../context.ts";
import { loadConfig } from "../../platform/env.ts";
import { createLogger } from "../../platform/logger.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * First middleware: request id (a well-formed incoming `X-Request-Id` is kept so traces join up),
 * validated config, a request-scoped logger, and the one structured log line per request.
 */
export const requestContext: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("logFields", {});
  const config = loadConfig(c.env);
  c.set("config", config);
  const logger = createLogger(config, "crm-api", { requestId });
  c.set("logger", logger);

  const started = performance.now();
  await next();
  c.header("x-request-id", requestId);

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
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      ...c.get("logFields"),
    });
};

import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../context.ts";
import { AppError } from "../http/problem.ts";
import { constantTimeEqual, sha256 } from "../../core/encoding/digest.ts";

/**
 * Guard for the operations routes (`/ops/...`): `Authorization: Bearer $OPS_API_TOKEN`. When that
 * secret is not configured the routes do not exist (404), so they cannot be probed.
 */
export const requireOpsToken: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const expected = c.get("config").OPS_API_TOKEN;
  if (!expected) throw new AppError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`);
  const given = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  // Equal-length digests, compared in constant time.
  if (!constantTimeEqual(await sha256(given), await sha256(expected))) {
    throw new AppError("UNAUTHORIZED", "a valid operations token is required", {
      headers: { "www-authenticate": "Bearer" },
    });
  }
  await next();
};

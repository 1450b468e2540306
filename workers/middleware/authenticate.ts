import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../context.ts";
import { bearerToken, verifyAccessToken } from "../auth/verify-token.ts";
import { timed } from "../http/server-timing.ts";

/** Supabase JWT → `c.var.auth` (user, tenant, role). */
export const authenticate: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const config = c.get("config");
  const verified = await timed(c, "auth", () =>
    verifyAccessToken(bearerToken(c.req.header("authorization")), {
      jwksUrl: config.jwksUrl,
      hs256Secret: config.SUPABASE_JWT_SECRET,
      issuer: config.jwtIssuer,
      audience: config.JWT_AUDIENCE,
    }),
  );
  c.set("auth", verified);
  await next();
};

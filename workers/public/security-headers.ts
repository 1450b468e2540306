import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../context.ts";

// Headers for the public pages. No script runs (so none is allowed), styles only from our own
// stylesheet, forms post only to us, nobody may frame the page, and no Referer leaves the page:
// the URL itself is the secret.
export const PUBLIC_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export const publicSecurityHeaders: MiddlewareHandler<HonoEnv> = async (c, next) => {
  await next();
  c.header("content-security-policy", PUBLIC_CSP);
  c.header("x-frame-options", "DENY");
  c.header("referrer-policy", "no-referrer");
  c.header("x-content-type-options", "nosniff");
  c.header("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
  c.header("cross-origin-opener-policy", "same-origin");
  c.header("x-robots-tag", "noindex, nofollow");
};

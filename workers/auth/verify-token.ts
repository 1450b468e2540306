import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { z } from "zod";
import { AppError } from "../http/problem.ts";
import { ROLES, type Role } from "../../core/auth/roles.ts";

export interface TokenVerifierOptions {
  /** `{SUPABASE_URL}/auth/v1/.well-known/jwks.json`: asymmetric keys (ES256/RS256). */
  jwksUrl: string | undefined;
  /** Legacy Supabase projects sign with a shared HS256 secret. */
  hs256Secret: string | undefined;
  /** Required: every accepted token names this issuer. */
  issuer: string;
  audience: string;
}

export interface VerifiedToken {
  userId: string;
  tenantId: string;
  role: Role;
  email: string | undefined;
}

const ASYMMETRIC_ALGS = ["ES256", "RS256"] as const;
// Supabase and our tokens are short-lived; 30 s absorbs clock drift between edge and auth server.
const CLOCK_TOLERANCE_SECONDS = 30;

// One JWKS per URL per isolate: jose caches the keys, re-fetches on an unknown `kid` (at most once
// per cooldown) and after cacheMaxAge.
const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function jwksFor(url: string) {
  let set = jwksByUrl.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
    jwksByUrl.set(url, set);
  }
  return set;
}

const ClaimsSchema = z.object({
  sub: z.uuid(),
  email: z.string().optional(),
  app_metadata: z
    .object({
      tenant_id: z.uuid().optional(),
      role: z.enum(ROLES).optional(),
    })
    .loose()
    .optional(),
});

const unauthorized = (detail: string) =>
  new AppError("UNAUTHORIZED", detail, { headers: { "www-authenticate": 'Bearer error="invalid_token"' } });

export function bearerToken(header: string | undefined): string {
  if (!header) {
    throw new AppError("UNAUTHORIZED", "missing Authorization: Bearer token", {
      headers: { "www-authenticate": "Bearer" },
    });
  }
  const match = /^Bearer[ ]+([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*\.[A-Za-z0-9\-_]*)$/.exec(header.trim());
  if (!match?.[1]) throw unauthorized("Authorization header must be `Bearer <jwt>`");
  return match[1];
}

// Tokens this isolate has verified, until they expire (at most VERIFIED_TTL_MS): a client sends
// the same access token for every request of its session, and a signature check is most of the
// JWT cost (~0.2 ms of CPU per request, bench:api). The key is the whole token plus what it was
// checked against, so only the exact bytes that passed verification are accepted again. The price:
// a signing key withdrawn from the JWKS stops being accepted up to VERIFIED_TTL_MS later (jose's
// own JWKS cache already keeps keys for 10 minutes).
const VERIFIED_TTL_MS = 5 * 60_000;
const VERIFIED_MAX = 10_000;
const verified = new Map<string, { token: VerifiedToken; until: number }>();

function verifiedKey(token: string, o: TokenVerifierOptions): string {
  return `${o.issuer}\n${o.audience}\n${o.jwksUrl ?? ""}\n${o.hs256Secret ?? ""}\n${token}`;
}

/**
 * Verifies a Supabase access token. The algorithm is chosen from what WE configured, never from
 * the token alone: a token whose `alg` we do not accept is rejected before any key is tried (this
 * defeats `alg: none` and HS256-signed-with-the-public-key confusion).
 */
export async function verifyAccessToken(token: string, options: TokenVerifierOptions): Promise<VerifiedToken> {
  const key = verifiedKey(token, options);
  const now = Date.now();
  const hit = verified.get(key);
  if (hit && now < hit.until) return hit.token;
  if (hit) verified.delete(key);
  const result = await verifyUncached(token, options);
  verified.set(key, { token: result.token, until: Math.min(result.expiresAt, now + VERIFIED_TTL_MS) });
  if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
  return result.token;
}

async function verifyUncached(
  token: string,
  options: TokenVerifierOptions,
): Promise<{ token: VerifiedToken; expiresAt: number }> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw unauthorized("malformed token");
  }
  const common = {
    audience: options.audience,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ["exp", "sub", "iss"],
    issuer: options.issuer,
  };

  let payload: JWTPayload;
  try {
    if (alg === "HS256" && options.hs256Secret) {
      const key = new TextEncoder().encode(options.hs256Secret);
      ({ payload } = await jwtVerify(token, key, { ...common, algorithms: ["HS256"] }));
    } else if (alg && (ASYMMETRIC_ALGS as readonly string[]).includes(alg) && options.jwksUrl) {
      ({ payload } = await jwtVerify(token, jwksFor(options.jwksUrl), { ...common, algorithms: [...ASYMMETRIC_ALGS] }));
    } else {
      throw unauthorized(`token algorithm ${JSON.stringify(alg ?? null)} is not accepted`);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unauthorized(describeJoseError(err));
  }

  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) throw unauthorized("token claims are malformed (sub must be a uuid)");
  const tenantId = claims.data.app_metadata?.tenant_id;
  if (!tenantId) throw new AppError("FORBIDDEN", "token has no tenant (app_metadata.tenant_id)");
  return {
    // Frozen: the cache hands the same object to every request that presents this token.
    token: Object.freeze({
      userId: claims.data.sub,
      tenantId,
      role: claims.data.app_metadata?.role ?? "user",
      email: claims.data.email,
    }),
    // Not a moment past what jwtVerify would accept (exp is required, with the same tolerance).
    expiresAt: ((payload.exp ?? 0) + CLOCK_TOLERANCE_SECONDS) * 1000,
  };
}

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "token expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return "token not yet valid";
    return `token claim ${err.claim} is invalid`;
  }
  if (err instanceof errors.JWKSNoMatchingKey) return "token signed with an unknown key";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "token signature is invalid";
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return "signing keys are unavailable";
  if (err instanceof errors.JOSEAlgNotAllowed) return "token algorithm is not accepted";
  return "token is invalid";
}

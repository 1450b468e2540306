import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import type { Role } from "./roles.ts";

// Tokens shaped like Supabase access tokens, for local development and tests. Production tokens
// come from Supabase; this module only ever signs with keys generated on this machine.

export interface SigningKey {
  /** Private JWK (ES256) including `kid` and `alg`. */
  privateJwk: JWK;
  /** Public JWK as published in the JWKS. */
  publicJwk: JWK;
}

export async function generateSigningKey(kid: string = crypto.randomUUID()): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  return { privateJwk, publicJwk };
}

export interface MintOptions {
  issuer: string;
  tenantId: string;
  userId: string;
  role?: Role;
  email?: string;
  audience?: string;
  /** jose duration ("1h", "15m") or seconds. */
  expiresIn?: string | number;
}

export async function mintAccessToken(privateJwk: JWK, options: MintOptions): Promise<string> {
  const key = await importJWK(privateJwk, "ES256");
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    role: "authenticated",
    aal: "aal1",
    session_id: crypto.randomUUID(),
    // Supabase sends "email": "" for phone logins; keep that shape.
    ...(options.email !== undefined ? { email: options.email } : {}),
    app_metadata: {
      provider: "email",
      providers: ["email"],
      tenant_id: options.tenantId,
      role: options.role ?? "user",
    },
    user_metadata: {},
  })
    .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid ?? "local", typ: "JWT" })
    .setSubject(options.userId)
    .setIssuer(options.issuer)
    .setAudience(options.audience ?? "authenticated")
    .setIssuedAt(now)
    .setExpirationTime(typeof options.expiresIn === "number" ? now + options.expiresIn : (options.expiresIn ?? "1h"));
  return jwt.sign(key);
}

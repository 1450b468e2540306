import { base64url, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { api, createTenant, problem, tokenFor, type TestTenant } from "../../test/support/harness.ts";
import { testEnv } from "../../test/support/env.ts";
import { ConfigError, loadConfig } from "../../platform/env.ts";

// Attacks on token verification. Every one must be rejected before any tenant data is touched.

const issuer = `${testEnv.SUPABASE_URL}/auth/v1`;
let tenant: TestTenant;
let validToken: string;

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: crypto.randomUUID(),
    aud: "authenticated",
    iss: issuer,
    role: "authenticated",
    iat: now,
    exp: now + 600,
    app_metadata: { tenant_id: tenant.id, role: "admin" },
    ...overrides,
  };
}

async function signWithLocalKey(payload: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const jwk = JSON.parse(testEnv.TEST_JWT_PRIVATE_JWK) as JWK;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: "JWT", ...header })
    .sign(await importJWK(jwk, "ES256"));
}

async function expectRejected(token: string, status = 401, detail?: RegExp) {
  const res = await api("/v1/me", { token });
  expect(res.status).toBe(status);
  const body = await problem(res);
  if (detail) expect(body.detail).toMatch(detail);
}

describe("JWT attack suite", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  beforeAll(async () => {
    tenant = await createTenant({ plan: "pro" });
    validToken = await tokenFor(tenant, { role: "admin" });
  });

  it("accepts a valid ES256 token from the JWKS (control)", async () => {
    expect((await api("/v1/me", { token: validToken })).status).toBe(200);
  });

  it("accepts a legacy HS256 token signed with the configured secret (control)", async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(testEnv.SUPABASE_JWT_SECRET));
    expect((await api("/v1/me", { token })).status).toBe(200);
  });

  it("rejects alg: none", async () => {
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const payload = base64url.encode(JSON.stringify(claims()));
    await expectRejected(`${header}.${payload}.`, 401, /algorithm/);
  });

  it("rejects HS256 signed with the public key (algorithm confusion)", async () => {
    const jwks = (await (await fetch(`${testEnv.TEST_AUTH_SERVER_URL}/auth/v1/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    const publicJwk = jwks.keys[0] as JWK;
    const spki = await exportSPKI((await importJWK(publicJwk, "ES256")) as CryptoKey);
    for (const secret of [spki, JSON.stringify(publicJwk)]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: "HS256", kid: publicJwk.kid, typ: "JWT" })
        .sign(new TextEncoder().encode(secret));
      await expectRejected(token, 401, /signature/);
    }
  });

  it("rejects an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(await signWithLocalKey(claims({ iat: now - 7200, exp: now - 3600 })), 401, /expired/);
  });

  it("a token verified before is rejected once it expires (the verified-token cache ends with the token)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signWithLocalKey(claims({ exp: now + 5 }));
    expect((await api("/v1/me", { token })).status).toBe(200);
    expect((await api("/v1/me", { token })).status).toBe(200); // from the cache
    vi.useFakeTimers({ toFake: ["Date"], now: (now + 5 + 31) * 1000 }); // past exp + the 30 s tolerance
    await expectRejected(token, 401, /expired/);
  });

  it("rejects a token that is not yet valid", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(await signWithLocalKey(claims({ nbf: now + 3600 })), 401, /not yet valid/);
  });

  it("rejects a wrong issuer", async () => {
    await expectRejected(await signWithLocalKey(claims({ iss: "https://evil.example/auth/v1" })), 401, /iss/);
  });

  it("rejects HS256 tokens without an issuer or with another one", async () => {
    const secret = new TextEncoder().encode(testEnv.SUPABASE_JWT_SECRET);
    const noIss: Record<string, unknown> = claims();
    delete noIss.iss;
    await expectRejected(
      await new SignJWT(noIss).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(secret),
      401,
      /iss/,
    );
    await expectRejected(
      await new SignJWT(claims({ iss: "https://otro-proyecto.supabase.co/auth/v1" }))
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .sign(secret),
      401,
      /iss/,
    );
  });

  it("refuses a configuration that could not check iss (HS256 secret alone), and defaults the issuer from SUPABASE_URL", () => {
    const base = { DATABASE_URL: "postgres://u:p@localhost/db", SUPABASE_JWT_SECRET: "x".repeat(32) };
    expect(() => loadConfig({ ...base })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base })).toThrow(/JWT_ISSUER/);
    expect(loadConfig({ ...base, JWT_ISSUER: "https://abc.supabase.co/auth/v1" }).jwtIssuer).toBe(
      "https://abc.supabase.co/auth/v1",
    );
    expect(loadConfig({ ...base, SUPABASE_URL: "https://abc.supabase.co/" }).jwtIssuer).toBe(
      "https://abc.supabase.co/auth/v1",
    );
  });

  it("rejects a wrong audience", async () => {
    await expectRejected(await signWithLocalKey(claims({ aud: "anon" })), 401, /aud/);
  });

  it("rejects a token without exp", async () => {
    const payload: Record<string, unknown> = claims();
    delete payload.exp;
    await expectRejected(await signWithLocalKey(payload), 401);
  });

  it("rejects a key that is not in the JWKS (unknown kid)", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: "ES256", kid: "attacker-key" })
      .sign(privateKey);
    await expectRejected(token, 401, /unknown key/);
  });

  it("rejects a foreign key that claims our kid", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const kid = (JSON.parse(testEnv.TEST_JWT_PRIVATE_JWK) as JWK).kid;
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", kid }).sign(privateKey);
    await expectRejected(token, 401, /signature/);
  });

  it("rejects an RS256 token from a key we never published", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "RS256", kid: "rsa-1" }).sign(privateKey);
    await expectRejected(token, 401);
  });

  it("rejects a tampered payload (tenant switched, signature kept)", async () => {
    const [h, p, s] = validToken.split(".") as [string, string, string];
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
    payload.app_metadata = { tenant_id: crypto.randomUUID(), role: "admin" };
    await expectRejected(`${h}.${base64url.encode(JSON.stringify(payload))}.${s}`, 401, /signature/);
  });

  it("rejects a token without a tenant with 403", async () => {
    await expectRejected(await signWithLocalKey(claims({ app_metadata: { role: "admin" } })), 403, /tenant/);
  });

  it("rejects a non-uuid subject", async () => {
    await expectRejected(await signWithLocalKey(claims({ sub: "anon" })), 401, /sub/);
  });

  it("rejects malformed Authorization headers", async () => {
    for (const header of ["Basic abc", "Bearer", "Bearer not-a-jwt", `Token ${validToken}`]) {
      const res = await api("/v1/me", { headers: { authorization: header } });
      expect(res.status).toBe(401);
    }
  });
});

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { createApp } from "../../workers/app.ts";
import { neon, neonConfig } from "@neondatabase/serverless";
import type { JWK } from "jose";
import { expect } from "vitest";
import { mintAccessToken } from "../../core/auth/supabase-token.ts";
import type { Role } from "../../core/auth/roles.ts";
import { requireTestEnv } from "./env.ts";

// One-line set-up for suites: a tenant, a user with a role, a token; raw SQL as owner or as the
// app role; the API called through the real Worker entry point.

const e = requireTestEnv();
if (e.NEON_FETCH_ENDPOINT) {
  const endpoint = e.NEON_FETCH_ENDPOINT;
  neonConfig.fetchEndpoint = () => endpoint;
}

/** Owner/superuser SQL (test set-up only). */
export const ownerSql = neon(e.TEST_SUPERUSER_DATABASE_URL);
/** The app's login role, exactly as the Worker connects. */
export const appSql = neon(e.DATABASE_URL ?? "");

export interface TestTenant {
  id: string;
  slug: string;
  plan: "free" | "pro" | "enterprise";
}

export async function createTenant(
  opts: { plan?: TestTenant["plan"]; status?: "active" | "suspended"; name?: string } = {},
): Promise<TestTenant> {
  const id = crypto.randomUUID();
  const slug = `t-${id.slice(0, 8)}`;
  const plan = opts.plan ?? "free";
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${id}, true)`,
    ownerSql`insert into tenants (id, slug, name, plan, status) values (${id}, ${slug}, ${opts.name ?? `Tenant ${slug}`}, ${plan}, ${opts.status ?? "active"})`,
  ]);
  return { id, slug, plan };
}

export async function tokenFor(
  tenant: { id: string },
  opts: { role?: Role; userId?: string; email?: string; expiresIn?: string | number } = {},
): Promise<string> {
  return mintAccessToken(JSON.parse(e.TEST_JWT_PRIVATE_JWK) as JWK, {
    issuer: `${e.SUPABASE_URL}/auth/v1`,
    tenantId: tenant.id,
    userId: opts.userId ?? crypto.randomUUID(),
    role: opts.role ?? "user",
    ...(opts.email !== undefined ? { email: opts.email } : {}),
    ...(opts.expiresIn !== undefined ? { expiresIn: opts.expiresIn } : {}),
  });
}

/** Calls the Worker's real fetch handler (the same code path as a deployed request). */
export function api(path: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<Response> {
  return exports.default.fetch(buildRequest(path, init));
}

function buildRequest(path: string, init: RequestInit & { token?: string; json?: unknown }): Request {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return new Request(`http://crm.test${path}`, { ...init, headers, body: body ?? null });
}

export interface ProxyStats {
  httpRequests: number;
  httpQueries: number;
  wsConnections: number;
  wsMessages: number;
}

const measuredApp = createApp();

/**
 * Calls the API with the database connection tagged (`application_name`) so the Neon proxy counts
 * this request's round trips alone, whatever other suites run in parallel.
 * Round trips = HTTP /sql requests + WebSocket client messages.
 */
export async function measuredApi(
  path: string,
  init: RequestInit & { token?: string; json?: unknown } = {},
): Promise<{ res: Response; roundTrips: number; stats: ProxyStats }> {
  const tag = `rt-${crypto.randomUUID()}`;
  const url = new URL(e.DATABASE_URL ?? "");
  url.searchParams.set("application_name", tag);
  const ctx = createExecutionContext();
  const res = await measuredApp.fetch(buildRequest(path, init), { ...e, DATABASE_URL: url.toString() }, ctx);
  await waitOnExecutionContext(ctx);
  const stats = (await (await fetch(`${e.TEST_NEON_PROXY_URL}/__stats?tag=${tag}`)).json()) as ProxyStats;
  return { res, stats, roundTrips: stats.httpRequests + stats.wsMessages };
}

export async function problem(
  res: Response,
): Promise<{ status: number; code: string; detail: string; requestId?: string; errors?: { path: string }[] }> {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { status: number; code: string; detail: string; requestId?: string };
}

// `npm run token -- --tenant <slug|uuid> [--role admin|manager|user] [--user <uuid>] [--expires 1h]`
// Prints a local access token (shaped like Supabase's) and nothing else on stdout.
import { parseArgs } from "node:util";
import { createHash } from "node:crypto";
import { mintAccessToken } from "../core/auth/supabase-token.ts";
import { ROLES, type Role } from "../core/auth/roles.ts";
import { DEMO_TENANTS } from "../db/seed/demo-data.ts";
import { readKeys, readState } from "./local/dev-state.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(message: string): never {
  console.error(`token: ${message}`);
  console.error(
    "usage: npm run -s token -- --tenant <slug|uuid> [--role admin|manager|user] [--user <uuid>] [--expires 1h]",
  );
  process.exit(2);
}

/** A stable user id for tenants/roles that were not seeded, so repeated calls act as one user. */
function derivedUserId(tenantId: string, role: string): string {
  const h = createHash("sha256").update(`${tenantId}:${role}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const { values } = parseArgs({
  options: {
    tenant: { type: "string" },
    role: { type: "string", default: "admin" },
    user: { type: "string" },
    expires: { type: "string", default: "1h" },
    email: { type: "string" },
  },
  strict: true,
});

const keys = readKeys();
const state = readState();
if (!keys || !state) fail("no local keys yet: run `npm start` once first (it creates them)");
if (!values.tenant) fail("--tenant is required");
if (!(ROLES as readonly string[]).includes(values.role ?? "")) fail(`--role must be one of ${ROLES.join(", ")}`);
const role = values.role as Role;
if (!/^\d+[smhd]$/.test(values.expires ?? "")) fail("--expires takes a duration like 15m, 1h, 7d");
if (values.user && !UUID.test(values.user)) fail("--user must be a uuid");

const known = [...state.tenants, ...DEMO_TENANTS.map((t) => ({ id: t.id, slug: t.slug, users: t.users }))];
const tenant = UUID.test(values.tenant)
  ? (known.find((t) => t.id === values.tenant) ?? { id: values.tenant, slug: values.tenant, users: [] })
  : known.find((t) => t.slug === values.tenant);
if (!tenant)
  fail(
    `unknown tenant slug ${JSON.stringify(values.tenant)} (known: ${[...new Set(known.map((t) => t.slug))].join(", ")}); pass its uuid instead`,
  );
const seeded = tenant.users.find((u) => u.role === role);
const userId = values.user ?? seeded?.id ?? derivedUserId(tenant.id, role);
const email = values.email ?? (values.user ? undefined : seeded?.email);

const token = await mintAccessToken(keys.privateJwk, {
  issuer: state.issuer,
  tenantId: tenant.id,
  userId,
  role,
  ...(email ? { email } : {}),
  expiresIn: values.expires,
});
console.error(
  `token: tenant ${tenant.slug} (${tenant.id}), role ${role}, user ${userId}, expires in ${values.expires}`,
);
process.stdout.write(`${token}\n`);

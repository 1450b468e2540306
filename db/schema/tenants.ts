import { sql } from "drizzle-orm";
import { boolean, check, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { ROLES } from "../../core/auth/roles.ts";
import { PLANS } from "../../core/ratelimit/policies.ts";
import { createdAt, id, tenantId, tstz, updatedAt } from "./columns.ts";

export const tenants = pgTable(
  "tenants",
  {
    id: id(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    // ISO 3166 country: the seed's DEFAULT 'MXN' was a currency.
    country: text("country").notNull().default("MX"),
    currency: text("currency").notNull().default("MXN"),
    timezone: text("timezone").notNull().default("America/Mexico_City"),
    plan: text("plan", { enum: PLANS }).notNull().default("free"),
    status: text("status", { enum: ["active", "suspended"] })
      .notNull()
      .default("active"),
    // The issuer's fiscal data (RFC, régimen, CSD, PAC) lives in fiscal_profiles (db/schema/fiscal.ts).
    // Per-tenant overrides of plan limits (enterprise contracts) without code changes.
    rateLimitOverrides: jsonb("rate_limit_overrides").$type<Record<string, number>>().notNull().default({}),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("tenants_slug_key").on(t.slug),
    check("tenants_slug_format", sql`${t.slug} ~ '^[a-z0-9][a-z0-9-]{1,62}$'`),
    check("tenants_country_format", sql`${t.country} ~ '^[A-Z]{2}$'`),
    check("tenants_currency_format", sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

export const users = pgTable(
  "users",
  {
    // The Supabase auth user id (`sub`): users appear in Supabase first and are provisioned here.
    id: uuid("id").primaryKey(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: "cascade" }),
    // As the verified token says (no format check: phone logins have none, IDN addresses are valid).
    email: text("email"),
    fullName: text("full_name"),
    role: text("role", { enum: ROLES }).notNull().default("user"),
    isActive: boolean("is_active").notNull().default(true),
    lastSeenAt: tstz("last_seen_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_tenant_id_id_key").on(t.tenantId, t.id)],
);

import { z } from "zod";
import type { ConversationDO } from "../durable-objects/conversation.ts";
import type { TenantLimiterDO } from "../durable-objects/tenant-limiter.ts";

/** Bindings and secrets as wrangler gives them to the Worker. */
export interface Env {
  ENVIRONMENT?: string;
  DATABASE_URL?: string;
  /** Local stand-ins for Neon's proxy (unset in production, where Neon serves both). */
  NEON_FETCH_ENDPOINT?: string;
  NEON_WS_PROXY?: string;
  DB_APP_ROLE?: string;
  SUPABASE_URL?: string;
  SUPABASE_JWT_SECRET?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  LOG_LEVEL?: string;
  PUBLIC_BASE_URL?: string;
  /** HMAC key for the public pages' anti-CSRF form tokens (32+ random bytes). */
  PUBLIC_FORM_SECRET?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  NATS_URL?: string;
  DOCUMENTS?: R2Bucket;
  /** Domain events (CloudEvents JSON), produced after commit and consumed by queues/. */
  EVENTS?: Queue<unknown>;
  /** Per-tenant (and, without Upstash, per-IP) rate limits and daily quotas. */
  TENANT_LIMITER?: DurableObjectNamespace<TenantLimiterDO>;
  /** One WhatsApp conversation per channel and customer wa_id (durable-objects/conversation-client.ts). */
  CONVERSATIONS?: DurableObjectNamespace<ConversationDO>;
  /** Test runs only: multiplies every rate limit (suites that fire many requests); must be 1 in production. */
  RATE_LIMIT_SCALE?: string;
  /** Milliseconds to wait for a limiter decision (default 2000). */
  RATE_LIMIT_TIMEOUT_MS?: string;
  /**
   * Seals secrets stored in Postgres (WhatsApp channel credentials; core/encoding/secret-envelope.ts).
   * 32+ random characters; changing it makes every stored envelope unreadable.
   */
  ENCRYPTION_SECRET?: string;
  /** WhatsApp send APIs (issue 12); the real ones unless set (`npm start` and `npm test` point them at local fakes). */
  WHATSAPP_GRAPH_BASE_URL?: string;
  WHATSAPP_360DIALOG_BASE_URL?: string;
  TWILIO_API_BASE_URL?: string;
  /** Milliseconds to wait for a WhatsApp provider's answer to a send (default 10000). */
  WHATSAPP_SEND_TIMEOUT_MS?: string;
  /**
   * The sandbox PAC's stamping certificate (base64 DER) and key (base64 PKCS#8), made by `npm start`
   * on first start (core/invoicing/sandbox-pac.ts). Unset: tenants on the sandbox PAC cannot stamp (503).
   */
  SANDBOX_PAC_CERTIFICATE?: string;
  SANDBOX_PAC_KEY?: string;
  /**
   * Finkok and SW Sapien hosts, instead of the ones the account's PAC environment names (test or
   * production): `npm start` and `npm test` point them at local fakes (scripts/local/pac-*.ts).
   */
  FINKOK_BASE_URL?: string;
  SW_BASE_URL?: string;
  /** Milliseconds to wait for a PAC's answer (default 30000). */
  PAC_TIMEOUT_MS?: string;
  /** Invoices to stamp (retries with backoff) and accepted proposals to invoice: queues/stamping-consumer.ts. */
  STAMPING?: Queue<unknown>;
  /**
   * A Resend-compatible email API for MSI reminders to customers without WhatsApp (core/messaging/email.ts):
   * its origin (default https://api.resend.com), API key and sender ("Cobranza <cobranza@example.mx>").
   * Without a key or sender, email reminders are recorded as failed (`email_not_configured`).
   */
  EMAIL_API_BASE_URL?: string;
  EMAIL_API_KEY?: string;
  EMAIL_FROM?: string;
  /** Secret for the operations routes (`/ops/...`, e.g. plan changes); those routes 404 when unset. */
  OPS_API_TOKEN?: string;
}

const optionalUrl = z.url().optional();

const ConfigSchema = z
  .object({
    ENVIRONMENT: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: z
      .string({ error: "DATABASE_URL is required (postgres://user:password@host/db)" })
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL"),
    NEON_FETCH_ENDPOINT: optionalUrl,
    NEON_WS_PROXY: z.string().min(1).optional(),
    DB_APP_ROLE: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, "DB_APP_ROLE must be a plain lower-case identifier")
      .default("crm_app"),
    SUPABASE_URL: optionalUrl,
    SUPABASE_JWT_SECRET: z.string().min(32, "SUPABASE_JWT_SECRET must be at least 32 characters").optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).default("authenticated"),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    PUBLIC_BASE_URL: optionalUrl,
    PUBLIC_FORM_SECRET: z.string().min(32, "PUBLIC_FORM_SECRET must be at least 32 characters").optional(),
    UPSTASH_REDIS_REST_URL: optionalUrl,
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
    RATE_LIMIT_SCALE: z.coerce.number().int().min(1).max(1_000_000).default(1),
    /** How long a request waits for a limiter decision before the failure rule applies (reads open, writes 503). */
    RATE_LIMIT_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
    OPS_API_TOKEN: z.string().min(32, "OPS_API_TOKEN must be at least 32 characters").optional(),
    ENCRYPTION_SECRET: z.string().min(32, "ENCRYPTION_SECRET must be at least 32 characters").optional(),
    WHATSAPP_GRAPH_BASE_URL: z.url().default("https://graph.facebook.com"),
    WHATSAPP_360DIALOG_BASE_URL: z.url().default("https://waba-v2.360dialog.io"),
    TWILIO_API_BASE_URL: z.url().default("https://api.twilio.com"),
    WHATSAPP_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    SANDBOX_PAC_CERTIFICATE: z
      .string()
      .regex(/^[A-Za-z0-9+/=]{100,}$/, "SANDBOX_PAC_CERTIFICATE must be base64 DER")
      .optional(),
    FINKOK_BASE_URL: optionalUrl,
    SW_BASE_URL: optionalUrl,
    PAC_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(30_000),
    EMAIL_API_BASE_URL: z.url().default("https://api.resend.com"),
    EMAIL_API_KEY: z.string().min(1).optional(),
    EMAIL_FROM: z
      .string()
      .regex(/^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/, "EMAIL_FROM must be an address or Name <address>")
      .optional(),
    SANDBOX_PAC_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/=]{100,}$/, "SANDBOX_PAC_KEY must be base64 PKCS#8")
      .optional(),
  })
  .refine((c) => c.SUPABASE_URL || c.SUPABASE_JWT_SECRET, {
    message: "configure SUPABASE_URL (JWKS) and/or SUPABASE_JWT_SECRET (legacy HS256)",
    path: ["SUPABASE_URL"],
  })
  // Without SUPABASE_URL there is no default issuer: an HS256-only set-up would accept a token minted
  // with the same secret for any issuer (another project, another environment).
  .refine((c) => c.SUPABASE_URL || c.JWT_ISSUER, {
    message: "set JWT_ISSUER (e.g. https://<project>.supabase.co/auth/v1) when only SUPABASE_JWT_SECRET is configured",
    path: ["JWT_ISSUER"],
  })
  .refine((c) => c.ENVIRONMENT !== "production" || c.RATE_LIMIT_SCALE === 1, {
    message: "RATE_LIMIT_SCALE is for test runs; production limits are the contract",
    path: ["RATE_LIMIT_SCALE"],
  });

export type Config = z.infer<typeof ConfigSchema> & {
  jwksUrl: string | undefined;
  /** Every token's `iss` must equal this: JWT_ISSUER, else `${SUPABASE_URL}/auth/v1`. */
  jwtIssuer: string;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

const cache = new WeakMap<object, Config>();

/** Validates the environment once per isolate (bindings objects are stable per isolate). */
export function loadConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid Worker configuration: ${issues}`);
  }
  const base = parsed.data.SUPABASE_URL?.replace(/\/+$/, "");
  const config: Config = {
    ...parsed.data,
    jwksUrl: base ? `${base}/auth/v1/.well-known/jwks.json` : undefined,
    // Supabase issues tokens with iss = {SUPABASE_URL}/auth/v1.
    jwtIssuer: parsed.data.JWT_ISSUER ?? `${base ?? ""}/auth/v1`,
  };
  cache.set(env, config);
  return config;
}

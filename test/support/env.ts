import { env } from "cloudflare:workers";
import type { Env } from "../../platform/env.ts";

/** Bindings the test runner (scripts/test.ts) adds for the suites; never present in production. */
export interface TestEnv extends Env {
  TEST_SUPERUSER_DATABASE_URL: string;
  TEST_JWT_PRIVATE_JWK: string;
  TEST_NEON_PROXY_URL: string;
  TEST_AUTH_SERVER_URL: string;
  TEST_DATABASE_KIND: "postgres" | "pglite" | "external";
  /** scripts/local/whatsapp-providers.ts, the Worker's WhatsApp send APIs in the suites. */
  TEST_WHATSAPP_PROVIDERS_URL?: string;
  /** scripts/local/pac-finkok.ts and pac-sw.ts, the local PACs the suites steer. */
  TEST_FINKOK_URL?: string;
  TEST_SW_URL?: string;
  /** scripts/local/cfdi-oracle.ts: xsltproc + openssl over a CFDI, pdftotext + zbarimg over its PDF. */
  TEST_CFDI_ORACLE_URL?: string;
  /** scripts/local/nats.ts: nats-server -js, its websocket listener (unset when nats-server is missing). */
  TEST_NATS_WS_URL?: string;
  /** scripts/local/email-provider.ts, the Resend-compatible fake. */
  TEST_EMAIL_PROVIDER_URL?: string;
}

export const testEnv = env as unknown as TestEnv;

export function requireTestEnv(): TestEnv {
  for (const key of [
    "DATABASE_URL",
    "TEST_SUPERUSER_DATABASE_URL",
    "TEST_JWT_PRIVATE_JWK",
    "TEST_NEON_PROXY_URL",
  ] as const) {
    if (!testEnv[key])
      throw new Error(`${key} is not set: run the suites with \`npm test\`, which starts the services`);
  }
  return testEnv;
}

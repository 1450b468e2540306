import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects: pure logic and local tooling run in plain Node; Worker code runs inside workerd.
// `npm test` (scripts/test.ts) starts the services first and passes their addresses as TEST_* env.
const env = process.env;

function workerBindings(): Record<string, string> {
  // RATE_LIMIT_SCALE: suites fire many requests from one user and one (absent) IP; the rate-limit
  // suites run with the real numbers (scale 1) through their own env.
  // RATE_LIMIT_TIMEOUT_MS: on a loaded 2-core machine a Durable Object can take seconds to answer
  // 500 concurrent checks; the failure rule has its own test (an unreachable limiter), so the other
  // suites wait for real decisions instead of failing open or closed by accident.
  const bindings: Record<string, string> = {
    ENVIRONMENT: "test",
    LOG_LEVEL: env.TEST_LOG_LEVEL ?? "error",
    RATE_LIMIT_SCALE: "1000",
    RATE_LIMIT_TIMEOUT_MS: "30000",
  };
  const pass = {
    DATABASE_URL: env.TEST_DATABASE_URL,
    NEON_FETCH_ENDPOINT: env.TEST_NEON_FETCH_ENDPOINT,
    NEON_WS_PROXY: env.TEST_NEON_WS_PROXY,
    SUPABASE_URL: env.TEST_SUPABASE_URL,
    SUPABASE_JWT_SECRET: env.TEST_SUPABASE_JWT_SECRET,
    PUBLIC_FORM_SECRET: env.TEST_PUBLIC_FORM_SECRET,
    ENCRYPTION_SECRET: env.TEST_ENCRYPTION_SECRET,
    SANDBOX_PAC_CERTIFICATE: env.TEST_SANDBOX_PAC_CERTIFICATE,
    SANDBOX_PAC_KEY: env.TEST_SANDBOX_PAC_KEY,
    // Test-only: what the suites need to set up data and mint tokens.
    TEST_SUPERUSER_DATABASE_URL: env.TEST_SUPERUSER_DATABASE_URL,
    TEST_JWT_PRIVATE_JWK: env.TEST_JWT_PRIVATE_JWK,
    TEST_NEON_PROXY_URL: env.TEST_NEON_PROXY_URL,
    TEST_AUTH_SERVER_URL: env.TEST_AUTH_SERVER_URL,
    TEST_DATABASE_KIND: env.TEST_DATABASE_KIND,
    TEST_UPSTASH_REDIS_REST_URL: env.TEST_UPSTASH_REDIS_REST_URL,
    TEST_UPSTASH_REDIS_REST_TOKEN: env.TEST_UPSTASH_REDIS_REST_TOKEN,
  };
  for (const [k, v] of Object.entries(pass)) if (v) bindings[k] = v;
  // The local WhatsApp send APIs (scripts/local/whatsapp-providers.ts): the Worker sends there, the
  // suites read what it received through TEST_WHATSAPP_PROVIDERS_URL.
  const whatsapp = env.TEST_WHATSAPP_PROVIDERS_URL;
  if (whatsapp) {
    bindings.TEST_WHATSAPP_PROVIDERS_URL = whatsapp;
    bindings.WHATSAPP_GRAPH_BASE_URL = `${whatsapp}/meta`;
    bindings.WHATSAPP_360DIALOG_BASE_URL = `${whatsapp}/360dialog`;
    bindings.TWILIO_API_BASE_URL = `${whatsapp}/twilio`;
  }
  // The local email API (scripts/local/email-provider.ts) for MSI reminders: the Worker mails there,
  // the suites read what it received through TEST_EMAIL_PROVIDER_URL.
  if (env.TEST_EMAIL_PROVIDER_URL && env.TEST_EMAIL_API_KEY) {
    bindings.TEST_EMAIL_PROVIDER_URL = env.TEST_EMAIL_PROVIDER_URL;
    bindings.EMAIL_API_BASE_URL = env.TEST_EMAIL_PROVIDER_URL;
    bindings.EMAIL_API_KEY = env.TEST_EMAIL_API_KEY;
    bindings.EMAIL_FROM = "Cobranza CRM <cobranza@crm.test>";
  }
  // The local PACs (scripts/local/pac-finkok.ts, pac-sw.ts): accounts on Finkok or SW stamp there,
  // and the suites steer them (failures, pending cancellations) through TEST_FINKOK_URL / TEST_SW_URL.
  // A PAC's timeout is 3 s here, so the suites that make one wait do not wait 30.
  if (env.TEST_FINKOK_URL) {
    bindings.TEST_FINKOK_URL = env.TEST_FINKOK_URL;
    bindings.FINKOK_BASE_URL = env.TEST_FINKOK_URL;
  }
  if (env.TEST_SW_URL) {
    bindings.TEST_SW_URL = env.TEST_SW_URL;
    bindings.SW_BASE_URL = env.TEST_SW_URL;
  }
  bindings.PAC_TIMEOUT_MS = "3000";
  // The local nats-server's websocket listener (scripts/local/nats.ts), for the JetStream relay suites.
  if (env.TEST_NATS_WS_URL) bindings.TEST_NATS_WS_URL = env.TEST_NATS_WS_URL;
  // SAT's xsltproc/openssl and poppler/zbar checks as a local service (scripts/local/cfdi-oracle.ts).
  if (env.TEST_CFDI_ORACLE_URL) bindings.TEST_CFDI_ORACLE_URL = env.TEST_CFDI_ORACLE_URL;
  return bindings;
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["core/**/*.test.ts", "scripts/**/*.test.ts", "bench/**/*.test.ts", "test/browser/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.jsonc" },
            miniflare: { bindings: workerBindings() },
          }),
        ],
        test: {
          name: "workers",
          include: [
            "workers/**/*.test.ts",
            "db/**/*.test.ts",
            "queues/**/*.test.ts",
            "test/e2e/**/*.test.ts",
            "durable-objects/**/*.test.ts",
          ],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";

// Public proposal links carry their secret in the path (/p/{token}). The app logs route patterns
// only; Cloudflare's own invocation logs would record the full URL, so they stay off everywhere.

const configPath = path.resolve(import.meta.dirname, "../wrangler.jsonc");

describe("wrangler.jsonc", () => {
  for (const env of [undefined, "production"]) {
    it(`keeps invocation logs (full URLs) off in ${env ?? "the default"} environment`, () => {
      const config = unstable_readConfig({ config: configPath, ...(env ? { env } : {}) });
      expect(config.observability?.enabled).toBe(true);
      expect(config.observability?.logs?.invocation_logs).toBe(false);
      expect(config.observability?.traces?.enabled ?? false).toBe(false);
    });
  }
});

describe("wrangler.jsonc environments", () => {
  it("production declares the same Durable Object bindings and migrations as the default environment", () => {
    const base = unstable_readConfig({ config: configPath });
    const production = unstable_readConfig({ config: configPath, env: "production" });
    expect(production.durable_objects.bindings).toEqual(base.durable_objects.bindings);
    expect(production.migrations).toEqual(base.migrations);
    expect(base.durable_objects.bindings.map((b: { class_name: string }) => b.class_name).sort()).toEqual([
      "ConversationDO",
      "TenantLimiterDO",
    ]);
  });
});

describe("wrangler.jsonc cron triggers", () => {
  it("declares the crons workers/cron/scheduled.ts handles, the same in production", () => {
    // scheduled.ts: CRON_EVERY_MINUTE (sweeps), CRON_DAILY (maintenance), CRON_HOURLY (MSI reminders).
    const base = unstable_readConfig({ config: configPath });
    const production = unstable_readConfig({ config: configPath, env: "production" });
    expect([...base.triggers.crons].sort()).toEqual(["* * * * *", "0 * * * *", "0 12 * * *"]);
    expect(production.triggers.crons).toEqual(base.triggers.crons);
  });
});

describe("bench/bare-worker/wrangler.jsonc", () => {
  it("runs on the app's compatibility date, flags and bundling, so bench/api.ts compares like with like", () => {
    const app = unstable_readConfig({ config: configPath });
    const bare = unstable_readConfig({
      config: path.resolve(import.meta.dirname, "../bench/bare-worker/wrangler.jsonc"),
    });
    expect(bare.compatibility_date).toBe(app.compatibility_date);
    expect([...bare.compatibility_flags].sort()).toEqual([...app.compatibility_flags].sort());
    expect(bare.keep_names).toBe(app.keep_names);
  });
});

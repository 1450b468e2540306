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

// `npm test`: starts the services the suites need (real PostgreSQL, the Neon proxy stand-ins, a
// local JWKS, the WhatsApp send APIs (scripts/local/whatsapp-providers.ts), an email API (scripts/local/email-provider.ts), Finkok and SW Sapien (scripts/local/pac-*.ts), Redis behind the Upstash REST protocol, NATS), runs both vitest projects, stops
// everything, and prints one summary line.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startLocalDatabase } from "./local/database.ts";
import { startNeonProxy } from "./local/neon-proxy.ts";
import { startAuthServer } from "./local/auth-server.ts";
import { findRedisServer, startRedis } from "./local/redis.ts";
import { startUpstashRest } from "./local/upstash-rest.ts";
import { findNatsServer, startNats } from "./local/nats.ts";
import { freePort } from "./local/free-port.ts";
import { startWhatsAppProviders } from "./local/whatsapp-providers.ts";
import { startEmailProvider } from "./local/email-provider.ts";
import { startFinkokFake } from "./local/pac-finkok.ts";
import { startSwFake } from "./local/pac-sw.ts";
import { startCfdiOracle } from "./local/cfdi-oracle.ts";
import { newSandboxPac } from "./local/dev-state.ts";
import { generateSigningKey } from "../core/auth/supabase-token.ts";

const root = path.resolve(import.meta.dirname, "..");
const workDir = path.join(root, ".local", "test");
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });

const stops: (() => Promise<void>)[] = [];
const say = (line: string) => console.error(`[test] ${line}`);

async function main(): Promise<number> {
  const started = Date.now();
  const db = await startLocalDatabase({ prefer: "postgres", pgliteDir: path.join(workDir, "pglite"), log: say });
  stops.push(db.stop);
  const proxy = await startNeonProxy({ port: await freePort() });
  stops.push(proxy.stop);
  const whatsapp = await startWhatsAppProviders({ port: await freePort() });
  stops.push(whatsapp.stop);
  const email = await startEmailProvider({ port: await freePort() });
  stops.push(email.stop);
  const finkok = await startFinkokFake({ port: await freePort() });
  stops.push(finkok.stop);
  const sw = await startSwFake({ port: await freePort() });
  stops.push(sw.stop);
  const oracle = await startCfdiOracle({ port: await freePort() });
  stops.push(oracle.stop);
  const key = await generateSigningKey();
  const auth = await startAuthServer({ port: await freePort(), publicJwks: [key.publicJwk] });
  stops.push(auth.stop);

  const env: Record<string, string> = {
    TEST_DATABASE_KIND: db.kind,
    TEST_DATABASE_URL: db.appUrl,
    TEST_SUPERUSER_DATABASE_URL: db.ownerUrl,
    TEST_NEON_FETCH_ENDPOINT: proxy.fetchEndpoint,
    TEST_NEON_WS_PROXY: proxy.wsProxy,
    TEST_NEON_PROXY_URL: proxy.url,
    TEST_SUPABASE_URL: auth.url,
    TEST_AUTH_SERVER_URL: auth.url,
    TEST_SUPABASE_JWT_SECRET: randomBytes(32).toString("base64url"),
    TEST_PUBLIC_FORM_SECRET: randomBytes(32).toString("base64url"),
    TEST_ENCRYPTION_SECRET: randomBytes(32).toString("base64url"),
    TEST_JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk),
    TEST_WHATSAPP_PROVIDERS_URL: whatsapp.url,
    TEST_EMAIL_PROVIDER_URL: email.url,
    TEST_EMAIL_API_KEY: email.apiKey,
    TEST_FINKOK_URL: finkok.url,
    TEST_SW_URL: sw.url,
    TEST_CFDI_ORACLE_URL: oracle.url,
  };
  const sandboxPac = await newSandboxPac();
  env.TEST_SANDBOX_PAC_CERTIFICATE = sandboxPac.certificate;
  env.TEST_SANDBOX_PAC_KEY = sandboxPac.key;

  if (findRedisServer()) {
    const redis = await startRedis();
    stops.push(redis.stop);
    const token = randomBytes(16).toString("hex");
    const rest = await startUpstashRest({ redisUrl: redis.url, token });
    stops.push(rest.stop);
    env.TEST_UPSTASH_REDIS_REST_URL = rest.url;
    env.TEST_UPSTASH_REDIS_REST_TOKEN = token;
    say(`redis: ${redis.url} behind Upstash REST ${rest.url}`);
  } else {
    say("redis-server not found: Redis tests will report themselves skipped (apt-get install redis-server)");
  }
  if (findNatsServer()) {
    const nats = await startNats();
    stops.push(nats.stop);
    env.TEST_NATS_URL = nats.url;
    env.TEST_NATS_WS_URL = nats.wsUrl;
    say(`nats: ${nats.url} (websocket ${nats.wsUrl})`);
  } else {
    say("nats-server not found: NATS tests will report themselves skipped (apt-get install nats-server)");
  }
  say(`services ready in ${Date.now() - started} ms`);

  const resultsFile = path.join(workDir, "results.json");
  const args = [
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${resultsFile}`,
    ...process.argv.slice(2),
  ];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(path.join(root, "node_modules", ".bin", "vitest"), args, {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, ...env },
    });
    child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  printSummary(resultsFile, Date.now() - started);
  return code;
}

function printSummary(file: string, ms: number): void {
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      testResults?: { status: string; assertionResults?: { status: string }[] }[];
    };
    // A test file that fails outside its tests (an import that throws, a failing beforeAll) has no
    // failed test of its own: count it as one, so the closing line never says "0 failed" for a red run.
    const brokenFiles = (r.testResults ?? []).filter(
      (f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"),
    ).length;
    const failed = r.numFailedTests + brokenFiles;
    if (brokenFiles > 0) console.error(`[test] ${brokenFiles} test file(s) failed before running their tests`);
    console.log(`Tests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
    console.error(`[test] total ${(ms / 1000).toFixed(1)} s`);
  } catch {
    console.error("[test] no results file: vitest did not complete");
  }
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error("[test] setup failed:", err);
} finally {
  for (const stop of stops.reverse()) {
    await stop().catch((err: unknown) => console.error("[test] stop failed:", err));
  }
}
process.exit(exitCode);

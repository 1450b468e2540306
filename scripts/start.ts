// `npm start`: the whole app on this machine, no cloud account. Embedded PostgreSQL (PGlite, or
// DATABASE_URL; `CRM_LOCAL_DATABASE=postgres` for a temporary real PostgreSQL cluster when its
// binaries are installed, PGlite otherwise), migrated and seeded; local stand-ins for Neon's proxy and Supabase's JWKS;
// `.dev.vars`; `wrangler dev` with local Durable Objects, R2, Queues and cron; then the URLs and a
// ready-to-use token.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { mintAccessToken } from "../core/auth/supabase-token.ts";
import { DEMO_TENANTS } from "../db/seed/demo-data.ts";
import { applyDemoSeed, issueDemoLinks } from "../db/seed/apply-seed.ts";
import { sampleDeliveryCommands, seedDemoChannels } from "./local/demo-whatsapp.ts";
import { seedDemoFiscal } from "./local/demo-fiscal.ts";
import { seedDemoMsi } from "./local/demo-msi.ts";
import { newPublicToken } from "../workers/proposals/public-link.ts";
import { startLocalDatabase, type DatabaseKind } from "./local/database.ts";
import { startNeonProxy } from "./local/neon-proxy.ts";
import { startAuthServer } from "./local/auth-server.ts";
import { freePort } from "./local/free-port.ts";
import { startWhatsAppProviders } from "./local/whatsapp-providers.ts";
import { startEmailProvider } from "./local/email-provider.ts";
import { startFinkokFake } from "./local/pac-finkok.ts";
import { startSwFake } from "./local/pac-sw.ts";
import { DEV_DIR, ROOT, loadOrCreateKeys, writeState } from "./local/dev-state.ts";

const t0 = Date.now();
const say = (line: string) => console.log(`[start] ${line}`);
const stops: (() => Promise<void>)[] = [];
let wrangler: ChildProcess | undefined;

async function portOr(preferred: number): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const srv = net
      .createServer()
      .once("error", () => resolve(false))
      .once("listening", () => srv.close(() => resolve(true)));
    srv.listen(preferred, "127.0.0.1");
  });
  return free ? preferred : freePort();
}

/** PGlite by default: nothing to install, and its data survives restarts (a temp cluster's does not). */
function localDatabase(): "postgres" | "pglite" {
  const wanted = process.env.CRM_LOCAL_DATABASE ?? "pglite";
  if (wanted !== "postgres" && wanted !== "pglite") {
    throw new Error(`CRM_LOCAL_DATABASE must be "postgres" or "pglite", not ${JSON.stringify(wanted)}`);
  }
  return wanted;
}

async function shutdown(code: number): Promise<never> {
  if (wrangler && wrangler.exitCode === null) {
    wrangler.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const stop of stops.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

function databaseLabel(kind: DatabaseKind): string {
  switch (kind) {
    case "pglite":
      return `embedded PGlite (${path.relative(ROOT, path.join(DEV_DIR, "pglite"))})`;
    case "postgres":
      return "PostgreSQL (temporary cluster, removed on exit)";
    case "external":
      return "DATABASE_URL";
  }
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8787);
  const keys = await loadOrCreateKeys();

  const db = await startLocalDatabase({
    prefer: localDatabase(),
    pgliteDir: path.join(DEV_DIR, "pglite"),
    port: await portOr(55432),
    log: (l) => say(l),
  });
  stops.push(db.stop);
  await applyDemoSeed(db.ownerUrl);
  const demoTenant = DEMO_TENANTS[0];
  const channels = demoTenant ? await seedDemoChannels(db.ownerUrl, demoTenant.id, keys.encryptionSecret) : [];
  if (demoTenant) await seedDemoFiscal(db.ownerUrl, demoTenant.id, keys.encryptionSecret);
  if (demoTenant) await seedDemoMsi(db.ownerUrl, demoTenant.id);
  say(
    "migrations applied, demo tenants seeded (demo: pro plan, 3 WhatsApp channels, CFDI issuer EKU9003173C9 with SAT's test CSD and the sandbox PAC; acme: free plan)",
  );
  const links = await issueDemoLinks(db.ownerUrl, newPublicToken);

  const proxy = await startNeonProxy({ port: await portOr(55433) });
  stops.push(proxy.stop);
  const auth = await startAuthServer({ port: await portOr(55434), publicJwks: [keys.publicJwk] });
  stops.push(auth.stop);

  // Local WhatsApp send APIs unless real ones are configured: a newcomer's channel sends here.
  const whatsappBaseUrls = ["WHATSAPP_GRAPH_BASE_URL", "WHATSAPP_360DIALOG_BASE_URL", "TWILIO_API_BASE_URL"] as const;
  const realWhatsApp = whatsappBaseUrls.some((k) => process.env[k]);
  const whatsapp = realWhatsApp ? undefined : await startWhatsAppProviders({ port: await portOr(55435) });
  if (whatsapp) stops.push(whatsapp.stop);
  // A local email API (MSI reminders) unless a real one is configured (EMAIL_API_KEY set).
  const email = process.env.EMAIL_API_KEY ? undefined : await startEmailProvider({ port: await portOr(55438) });
  if (email) stops.push(email.stop);
  // Local Finkok and SW Sapien unless their hosts are configured: an account that picks either PAC
  // stamps against these (the demo tenant uses the sandbox PAC).
  const finkok = process.env.FINKOK_BASE_URL ? undefined : await startFinkokFake({ port: await portOr(55436) });
  if (finkok) stops.push(finkok.stop);
  const sw = process.env.SW_BASE_URL ? undefined : await startSwFake({ port: await portOr(55437) });
  if (sw) stops.push(sw.stop);

  const apiUrl = `http://127.0.0.1:${port}`;
  const issuer = `${auth.url}/auth/v1`;
  const vars: Record<string, string> = {
    ENVIRONMENT: "development",
    DATABASE_URL: db.appUrl,
    NEON_FETCH_ENDPOINT: proxy.fetchEndpoint,
    NEON_WS_PROXY: proxy.wsProxy,
    SUPABASE_URL: auth.url,
    SUPABASE_JWT_SECRET: keys.hs256Secret,
    PUBLIC_FORM_SECRET: keys.formSecret,
    // From .local/dev/keys.json, not fresh per start: channel credentials sealed earlier must still open.
    ENCRYPTION_SECRET: keys.encryptionSecret,
    SANDBOX_PAC_CERTIFICATE: keys.sandboxPac.certificate,
    SANDBOX_PAC_KEY: keys.sandboxPac.key,
    PUBLIC_BASE_URL: apiUrl,
    FINKOK_BASE_URL: finkok?.url ?? process.env.FINKOK_BASE_URL ?? "",
    SW_BASE_URL: sw?.url ?? process.env.SW_BASE_URL ?? "",
    ...(whatsapp
      ? whatsapp.baseUrls
      : Object.fromEntries(whatsappBaseUrls.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])))),
    ...(email
      ? {
          EMAIL_API_BASE_URL: email.url,
          EMAIL_API_KEY: email.apiKey,
          EMAIL_FROM: "Cobranza Demo <cobranza@demo.local>",
        }
      : Object.fromEntries(
          (["EMAIL_API_BASE_URL", "EMAIL_API_KEY", "EMAIL_FROM"] as const).flatMap((k) =>
            process.env[k] ? [[k, process.env[k]]] : [],
          ),
        )),
    // The Worker's log level (debug|info|warn|error; the app validates it): info unless set here.
    ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
  };
  // Optional integrations pass through when configured in the environment.
  const optional = {
    "Redis (Upstash)": ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
    "NATS JetStream": ["NATS_URL"],
    SageMaker: ["SAGEMAKER_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
  };
  const status: string[] = [];
  for (const [name, keysNeeded] of Object.entries(optional)) {
    const configured = keysNeeded.every((k) => process.env[k]);
    if (configured) for (const k of keysNeeded) vars[k] = process.env[k] as string;
    status.push(`${name}: ${configured ? "configured" : "not configured (optional)"}`);
  }
  // The default stack uses the conventional .dev.vars; a separate one (CRM_DEV_DIR) keeps its own.
  const separate = Boolean(process.env.CRM_DEV_DIR);
  const varsFile = separate ? path.join(DEV_DIR, ".dev.vars") : path.join(ROOT, ".dev.vars");
  writeFileSync(
    varsFile,
    `# Generated by \`npm start\`; local only, never commit.\n${Object.entries(vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join("\n")}\n`,
    { mode: 0o600 },
  );
  writeState({
    issuer,
    apiUrl,
    tenants: DEMO_TENANTS.map((t) => ({
      id: t.id,
      slug: t.slug,
      users: t.users.map((u) => ({ id: u.id, role: u.role, email: u.email })),
    })),
  });

  wrangler = spawn(
    process.execPath,
    [
      path.join(ROOT, "scripts", "local", "wrangler-dev.ts"),
      "--config",
      path.join(ROOT, "wrangler.jsonc"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--test-scheduled",
      // The DevTools inspector costs every request (scripts/local/wrangler-dev.ts); on request only.
      ...(process.env.CRM_INSPECT === "1" ? ["--inspector-port", String(await portOr(9229))] : []),
      ...(separate ? ["--env-file", varsFile, "--persist-to", path.join(DEV_DIR, "wrangler-state")] : []),
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_HIDE_BANNER: "true",
        // wrangler also appends every line the Worker logs to a debug file under ~/.config/.wrangler/logs
        // (open, append, close per line, behind a mutex): measured at ~1.3 ms of wrangler's CPU per
        // request under bench:api, and a file that grows without bound. The lines are on stdout already.
        WRANGLER_WRITE_LOGS: "false",
      },
    },
  );
  wrangler.on("exit", (code) => {
    say(`wrangler dev exited (${code ?? "signal"})`);
    void shutdown(code ?? 1);
  });

  // Ready when the Worker answers its readiness check (database included).
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await fetch(`${apiUrl}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("the Worker did not become ready within 120 s");
    await new Promise((r) => setTimeout(r, 250));
  }

  const samples = await sampleDeliveryCommands(apiUrl, channels);
  const demo = DEMO_TENANTS[0];
  const admin = demo?.users[0];
  const token =
    demo && admin
      ? await mintAccessToken(keys.privateJwk, {
          issuer,
          tenantId: demo.id,
          userId: admin.id,
          role: "admin",
          email: admin.email,
          expiresIn: "12h",
        })
      : "";
  console.log(`
Zuclubit Smart CRM is running (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)

  API          ${apiUrl}
  Health       ${apiUrl}/healthz   ${apiUrl}/readyz
  API docs     ${apiUrl}/docs   (OpenAPI: ${apiUrl}/openapi.json)
  Database     ${databaseLabel(db.kind)}
  PACs         sandbox (in the Worker)${finkok ? `; local Finkok ${finkok.url}` : ""}${sw ? `; local SW Sapien ${sw.url}` : ""}
  WhatsApp     ${whatsapp ? `local send APIs ${whatsapp.url} (what they received: ${whatsapp.url}/__requests)` : "provider base URLs from the environment"}
  Email        ${email ? `local email API ${email.url} (what it received: ${email.url}/__requests)` : "EMAIL_API_* from the environment"}
  ${status.join("\n  ")}

Demo proposal links (what a client opens from WhatsApp or email):
  ${links.length ? links.map((l) => `${l.name.padEnd(12)} ${apiUrl}/p/${l.token}`).join("\n  ") : "(none: the demo proposals were already accepted or rejected)"}

Demo tenants: demo (pro), acme (free). Token for demo's admin (12 h):

  ${token}

Try:
  curl -H "Authorization: Bearer $(npm run -s token -- --tenant demo)" ${apiUrl}/v1/me
  curl -H "Authorization: Bearer $(npm run -s token -- --tenant acme --role user)" ${apiUrl}/v1/me

WhatsApp: the demo tenant has a channel per provider. Each command posts a signed sample delivery
(a customer's message) to its webhook; the conversation then shows in the inbox:

  ${samples.map((s) => `# ${s.channel.name}\n  ${s.command}`).join("\n\n  ")}

  curl -H "Authorization: Bearer $(npm run -s token -- --tenant demo)" ${apiUrl}/v1/whatsapp/conversations

Invoicing: the demo tenant issues with SAT's test CSD (EKU9003173C9) through the sandbox PAC, and
invoices accepted proposals on its own (autoInvoiceOnAccept). Accept a proposal at a link above;
seconds later its stamped invoice (SIN VALIDEZ FISCAL — sandbox) is listed, with its XML and PDF:

  curl -H "Authorization: Bearer $(npm run -s token -- --tenant demo)" "${apiUrl}/v1/invoices?status=stamped"
  curl -H "Authorization: Bearer $(npm run -s token -- --tenant demo)" ${apiUrl}/v1/invoices/{id}/pdf -o factura.pdf

Ctrl-C stops everything.
`);
}

main().catch(async (err: unknown) => {
  console.error("[start] failed:", err instanceof Error ? err.message : err);
  await shutdown(1);
});

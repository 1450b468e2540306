// WhatsApp webhooks, end to end and in Node:
//   npm run bench:whatsapp [-- --deliveries 5000 --replay 10 --customers 200 --concurrency 16 --node-seconds 3]
//
// 1. Verify + parse alone (core/whatsapp: the X-Hub-Signature-256 check over the raw bytes, then
//    the Meta payload parser), one delivery at a time, in a child process pinned to one core with
//    taskset when it is installed: deliveries/s and µs per delivery.
// 2. End to end through `wrangler dev`: the local stack (scripts/start.ts in its own state
//    directory) with the demo tenant's Meta channel, beside bench/bare-worker's `POST /` (reads its
//    body, answers JSON) under the same wrangler. Signed deliveries (one text message each, from a
//    pool of customers, so many ConversationDOs) are posted at the given concurrency, in chunks
//    alternating with as many bare POSTs, so both see the same machine; then the whole set is
//    replayed `--replay` times in shuffled order. Prints acknowledgement p50/p99 and deliveries/s
//    against the bare route, and what the conversations stored according to the webhook's own log
//    line (`whatsapp.stored`, `whatsapp.duplicates`: what each ConversationDO's ingest returned):
//    0 lost means every delivery's message was stored, 0 duplicated means none was stored twice.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseMetaWebhook } from "../core/whatsapp/meta-payload.ts";
import { verifyMetaSignature } from "../core/whatsapp/signatures.ts";
import { demoChannels } from "../scripts/local/demo-whatsapp.ts";
import { ROOT } from "../scripts/local/dev-state.ts";
import { startBareWorker, type BareWorker } from "./support/bare-worker.ts";
import { runSlice, type RequestSpec } from "./support/load.ts";
import { machineLines } from "./support/machine.ts";
import { startStack, type RequestLogEntry, type Stack } from "./support/stack.ts";
import { pct } from "./support/stats.ts";
import { signedDeliveries, type SignedDelivery } from "./support/whatsapp-deliveries.ts";

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "5000" },
    replay: { type: "string", default: "10" },
    customers: { type: "string", default: "200" },
    concurrency: { type: "string", default: "16" },
    "node-seconds": { type: "string", default: "3" },
    "node-only": { type: "boolean", default: false },
  },
  strict: true,
});
const DELIVERIES = Number(values.deliveries);
const REPLAY = Number(values.replay);
const CUSTOMERS = Number(values.customers);
const CONCURRENCY = Number(values.concurrency);
const NODE_SECONDS = Number(values["node-seconds"]);
const CHUNK = 500;
const RUN = Date.now().toString(36);

async function nodeOnly(): Promise<void> {
  const secret = "bench-app-secret-0123456789abcdef";
  const set = await signedDeliveries({
    appSecret: secret,
    phoneNumberId: "109876543210987",
    count: 2_000,
    customers: CUSTOMERS,
    run: "node",
    startSeconds: 1_764_700_000,
  });
  const bytes = set.map((d) => ({ body: new TextEncoder().encode(d.body), signature: d.signature }));
  const deadline = performance.now() + NODE_SECONDS * 1000;
  const started = performance.now();
  let n = 0;
  while (performance.now() < deadline) {
    const d = bytes[n % bytes.length]!;
    const verified = await verifyMetaSignature(secret, d.body, d.signature);
    const parsed = parseMetaWebhook(d.body);
    if (!verified.ok || !parsed.ok || parsed.delivery.messages.length !== 1) throw new Error("bench delivery refused");
    n++;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ deliveries: n, seconds, bytes: bytes[0]!.body.length }));
}

function nodePart(): { perSecond: number; usEach: number; bytes: number; pinned: boolean } {
  const script = path.join(ROOT, "bench", "whatsapp.ts");
  const args = [script, "--node-only", "--node-seconds", String(NODE_SECONDS), "--customers", String(CUSTOMERS)];
  const pinned = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
  const r = pinned
    ? spawnSync("taskset", ["-c", "0", process.execPath, ...args], { encoding: "utf8" })
    : spawnSync(process.execPath, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`verify+parse run failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { deliveries: number; seconds: number; bytes: number };
  const perSecond = out.deliveries / out.seconds;
  return { perSecond, usEach: 1e6 / perSecond, bytes: out.bytes, pinned };
}

interface Tally {
  ms: number[];
  statuses: Map<number, number>;
  failed: number;
  wallMs: number;
}
const tally = (): Tally => ({ ms: [], statuses: new Map(), failed: 0, wallMs: 0 });

async function run(specs: RequestSpec[], into: Tally): Promise<void> {
  let i = 0;
  const r = await runSlice({
    concurrency: CONCURRENCY,
    next: () => specs[i++],
    onSample: (s) => {
      into.ms.push(s.ms);
      into.statuses.set(s.status, (into.statuses.get(s.status) ?? 0) + 1);
    },
  });
  into.failed += r.failed;
  into.wallMs += r.wallMs;
}

/** Deterministic shuffle (mulberry32), so a replay's order is the same on every run. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let a = seed;
  const rand = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// What each measured webhook request's log line says the objects stored, by phase.
const logged = { unique: { lines: 0, stored: 0, duplicates: 0 }, replay: { lines: 0, stored: 0, duplicates: 0 } };
function onRequestLog(entry: RequestLogEntry): void {
  const m = /^wa\.(unique|replay)\./.exec(entry.requestId ?? "");
  const w = entry.data?.whatsapp;
  if (!m || !w) return;
  const phase = logged[m[1] as "unique" | "replay"];
  phase.lines++;
  phase.stored += w.stored ?? 0;
  phase.duplicates += w.duplicates ?? 0;
}

async function untilLogged(phase: keyof typeof logged, lines: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (logged[phase].lines < lines && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

const fmt = (x: number, d = 1) => x.toFixed(d);
const statusText = (t: Tally) =>
  [...t.statuses]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}×${n}`)
    .join(" ") + (t.failed ? ` no-response×${t.failed}` : "");

let stack: Stack | undefined;
let bare: BareWorker | undefined;

async function main(): Promise<void> {
  if (!(DELIVERIES > 0 && REPLAY >= 0 && CUSTOMERS > 0 && CONCURRENCY > 0)) throw new Error("bad options");
  console.log("[bench] verify + parse in Node …");
  const node = nodePart();

  console.log("[bench] starting the stack and the bare worker …");
  [stack, bare] = await Promise.all([startStack({ database: "postgres", onRequestLog }), startBareWorker()]);
  const meta = demoChannels(stack.keys.encryptionSecret).find((c) => c.provider === "meta")!;
  const webhook = `${stack.url}/webhooks/whatsapp/meta/${meta.id}`;
  const startSeconds = Math.floor(Date.now() / 1000) - DELIVERIES;
  const sign = (run: string, count: number) =>
    signedDeliveries({
      appSecret: meta.credentials.appSecret!,
      phoneNumberId: meta.phoneNumberId!,
      count,
      customers: CUSTOMERS,
      run,
      startSeconds,
    });
  const toSpec = (phase: string) => (d: SignedDelivery, n: number) => ({
    method: "POST" as const,
    url: webhook,
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": d.signature,
      "x-request-id": `wa.${phase}.${n}`,
    },
    body: d.body,
  });
  const bareSpec = (d: SignedDelivery): RequestSpec => ({
    method: "POST",
    url: `${bare!.url}/`,
    headers: { "content-type": "application/json" },
    body: d.body,
  });

  console.log(`[bench] signing ${DELIVERIES} deliveries for ${CUSTOMERS} customers …`);
  const set = await sign(`${RUN}`, DELIVERIES);
  const warm = await sign(`${RUN}-warm`, 400);
  await run(warm.map(toSpec("warm")), tally());
  await run(warm.map(bareSpec), tally());

  console.log(
    `[bench] ${DELIVERIES} unique deliveries at c=${CONCURRENCY}, in chunks of ${CHUNK} alternating with the bare POST …`,
  );
  const unique = tally();
  const bareTally = tally();
  const uniqueSpecs = set.map(toSpec("unique"));
  for (let i = 0; i < set.length; i += CHUNK) {
    await run(uniqueSpecs.slice(i, i + CHUNK), unique);
    await run(set.slice(i, i + CHUNK).map(bareSpec), bareTally);
  }
  await untilLogged("unique", DELIVERIES);

  const replay = tally();
  if (REPLAY > 0) {
    const replaySpecs = shuffled(Array.from({ length: REPLAY }, () => set).flat(), 42).map(toSpec("replay"));
    console.log(`[bench] replaying them ${REPLAY}× in shuffled order (${replaySpecs.length} requests) …`);
    await run(replaySpecs, replay);
    await untilLogged("replay", replaySpecs.length);
  }

  const stored = logged.unique.stored + logged.replay.stored;
  const lost = Math.max(0, DELIVERIES - stored);
  const duplicated = Math.max(0, stored - DELIVERIES);
  const rate = (t: Tally) => (t.ms.length / t.wallMs) * 1000;
  const line = (label: string, t: Tally) =>
    `${label.padEnd(34)} ${String(t.ms.length).padStart(6)} ${fmt(rate(t), 0).padStart(8)} ${fmt(pct(t.ms, 50), 2).padStart(8)} ${fmt(pct(t.ms, 99), 2).padStart(8)}   ${statusText(t)}`;
  const ratio = pct(unique.ms, 50) / pct(bareTally.ms, 50);

  console.log(`
WhatsApp webhooks (Meta deliveries, signed) vs a bare Hono POST, through wrangler dev on this machine
  ${machineLines().join("\n  ")}
  database  ${stack.database}
  load      closed loop, c=${CONCURRENCY}; ${DELIVERIES} deliveries (one text message each, ${CUSTOMERS} customers), replayed ${REPLAY}×

verify + parse alone, Node ${process.version}${node.pinned ? ", one core (taskset -c 0)" : " (taskset not found: not pinned)"}: ${fmt(node.perSecond, 0)} deliveries/s, ${fmt(node.usEach, 1)} µs each (${node.bytes} bytes)

${"".padEnd(34)} ${"requests".padStart(6)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}   statuses
${line("bare Hono POST /", bareTally)}
${line("webhook, unique deliveries", unique)}
${REPLAY > 0 ? line(`webhook, ${REPLAY}× replay (shuffled)`, replay) : ""}

what the conversations stored (their ingest results, from the webhook's log lines)
  unique phase   ${logged.unique.lines} lines, stored ${logged.unique.stored}, duplicates ${logged.unique.duplicates}
  replay phase   ${logged.replay.lines} lines, stored ${logged.replay.stored}, duplicates ${logged.replay.duplicates}
  lost ${lost}, duplicated ${duplicated}

goals
  ack p50 ≤ 1.5× the bare route (c=${CONCURRENCY})      ${fmt(ratio, 2)}×  ${ratio <= 1.5 ? "met" : "NOT met"}
  0 lost, 0 duplicated after the replay        ${lost === 0 && duplicated === 0 ? "met" : "NOT met"}
  verify + parse ≥ 20,000 deliveries/s (one core)  ${fmt(node.perSecond, 0)}/s  ${node.perSecond >= 20_000 ? "met" : "NOT met"}`);
}

if (values["node-only"]) {
  await nodeOnly();
} else {
  try {
    await main();
  } finally {
    console.log("[bench] stopping …");
    await Promise.allSettled([stack?.stop(), bare?.stop()]);
  }
}

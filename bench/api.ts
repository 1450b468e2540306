// The API's request path against a bare Hono Worker, through `wrangler dev` on this machine:
//   npm run bench:api [-- --seconds 2 --rounds 5 --url http://127.0.0.1:8787 --bare-url http://127.0.0.1:8788]
//                     [--app-log-level warn]   (the Worker's LOG_LEVEL; info, as npm start, by default)
//
// Without --url it starts the local stack (scripts/start.ts in its own state directory, on free
// ports) with a real PostgreSQL cluster when the binaries are installed, PGlite otherwise, and
// without --bare-url bench/bare-worker under the same wrangler; it stops both at the end.
//
// Closed-loop clients (node:http, keep-alive, one connection each) at concurrency 1 and 16 on:
// the bare Worker's GET /, GET /healthz, GET /v1/me, GET /v1/leads?limit=50 and POST /v1/contacts
// (a unique email each). Requests rotate over 40 users of the demo tenant (pro plan: 1,000/min
// each) and 200 client addresses (CF-Connecting-IP; 1,000/min each), so nothing is rate limited.
// Interleaved: after a warm-up round, every round runs a short slice of every (route,
// concurrency), in an order rotated per round, so drift on the machine hits all of them alike.
//
// Prints req/s, p50/p99 and the ratios to the bare Worker at the same concurrency; where the time
// goes per route from the responses' Server-Timing (workers/http/server-timing.ts; whole-ms
// clock, so medians are coarse and the means are shown beside them); and the goals.
import { parseArgs } from "node:util";
import { parseServerTiming } from "../workers/http/server-timing.ts";
import { startBareWorker, type BareWorker } from "./support/bare-worker.ts";
import { runSlice, type RequestSpec } from "./support/load.ts";
import { machineLines } from "./support/machine.ts";
import { cpuSpent, readCpu } from "./support/cpu.ts";
import { runningStack, startStack, type RequestLogEntry, type Stack } from "./support/stack.ts";
import { mean, pct } from "./support/stats.ts";
import { benchTokens, clientIps } from "./support/tokens.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "2" },
    rounds: { type: "string", default: "5" },
    url: { type: "string" },
    "bare-url": { type: "string" },
    // To measure what the request log line costs under wrangler dev: --app-log-level warn.
    "app-log-level": { type: "string" },
  },
  strict: true,
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
if (!(SECONDS > 0) || !Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error("--seconds > 0 and --rounds ≥ 1");
const CONCURRENCIES = [1, 16] as const;
const USERS = 40;
const IPS = clientIps(200);
const SEGMENTS = ["auth", "limit", "db", "app", "total"] as const;
type Segment = (typeof SEGMENTS)[number];

interface Route {
  key: string;
  label: string;
  target: "bare" | "app";
  method: "GET" | "POST";
  path: string;
  auth: boolean;
  expect: number;
  body?: (n: number) => string;
}

const RUN = Date.now().toString(36);
const ROUTES: Route[] = [
  { key: "bare", label: "bare Hono  GET /", target: "bare", method: "GET", path: "/", auth: false, expect: 200 },
  { key: "healthz", label: "GET /healthz", target: "app", method: "GET", path: "/healthz", auth: false, expect: 200 },
  { key: "me", label: "GET /v1/me", target: "app", method: "GET", path: "/v1/me", auth: true, expect: 200 },
  {
    key: "leads",
    label: "GET /v1/leads?limit=50",
    target: "app",
    method: "GET",
    path: "/v1/leads?limit=50",
    auth: true,
    expect: 200,
  },
  {
    key: "contacts",
    label: "POST /v1/contacts",
    target: "app",
    method: "POST",
    path: "/v1/contacts",
    auth: true,
    expect: 201,
    body: (n) =>
      JSON.stringify({
        firstName: "Carga",
        lastName: `Prueba ${n}`,
        email: `bench-${RUN}-${n}@example.mx`,
        companyName: "Banco de Pruebas SA de CV",
        jobTitle: "Compras",
      }),
  },
];

interface Series {
  route: Route;
  c: number;
  ms: number[];
  statuses: Map<number, number>;
  failed: number;
  wallMs: number;
  timing: Record<Segment, number[]>;
  /** Limiter decision ms per request (ip + user) from the stack's request log, when this run owns the stack. */
  loggedLimit: number[];
  /** CPU ms spent during this series' slices, per process part (bench/support/cpu.ts). */
  cpu: Map<string, number>;
}

const series = new Map<string, Series>();
const seriesKey = (route: Route, c: number) => `${route.key}.c${c}`;
for (const route of ROUTES)
  for (const c of CONCURRENCIES)
    series.set(seriesKey(route, c), {
      route,
      c,
      ms: [],
      statuses: new Map(),
      failed: 0,
      wallMs: 0,
      timing: { auth: [], limit: [], db: [], app: [], total: [] },
      loggedLimit: [],
      cpu: new Map(),
    });
let recording = false;
/** The first measured request's number: log lines trail their responses, so warm-up ones may come late. */
let firstMeasured = Infinity;

/** Request ids name their series and number (`bench.me.c16.123`), so the stack's log lines can be matched up. */
function onRequestLog(entry: RequestLogEntry): void {
  const m = /^bench\.(\w+\.c\d+)\.(\d+)$/.exec(entry.requestId ?? "");
  const s = m?.[1] ? series.get(m[1]) : undefined;
  const rl = entry.data?.rateLimit;
  if (!s || !rl || Number(m?.[2]) < firstMeasured) return;
  s.loggedLimit.push((rl.ip?.ms ?? 0) + (rl.user?.ms ?? 0));
}

let stack: Stack | undefined;
let bare: BareWorker | undefined;

async function main(): Promise<void> {
  console.log("[bench] starting the stack and the bare worker …");
  const [started, startedBare] = await Promise.allSettled([
    values.url
      ? runningStack(values.url)
      : startStack({ database: "postgres", onRequestLog, logLevel: values["app-log-level"] }),
    values["bare-url"] ? { url: values["bare-url"], stop: async () => {} } : startBareWorker(),
  ]);
  // Whichever did start is stopped at the end, even when the other failed.
  if (started.status === "fulfilled") stack = started.value;
  if (startedBare.status === "fulfilled") bare = startedBare.value;
  if (started.status === "rejected") throw started.reason;
  if (startedBare.status === "rejected") throw startedBare.reason;
  const app = started.value;
  const baseline = startedBare.value;
  const tokens = await benchTokens(app.keys, app.state, { tenant: "demo", users: USERS });
  let n = 0;
  const request = (route: Route, c: number): RequestSpec => {
    const i = n++;
    const headers: Record<string, string> = {
      "cf-connecting-ip": IPS[i % IPS.length]!,
      "x-request-id": `bench.${route.key}.c${c}.${i}`,
    };
    if (route.auth) headers.authorization = `Bearer ${tokens[i % tokens.length]}`;
    if (route.body) headers["content-type"] = "application/json";
    return {
      method: route.method,
      url: `${route.target === "bare" ? baseline.url : app.url}${route.path}`,
      headers,
      ...(route.body ? { body: route.body(i) } : {}),
    };
  };
  const trees = [
    { name: "app", pid: app.pid },
    { name: "bare", pid: bare?.pid },
  ];
  const slice = async (s: Series, seconds: number) => {
    const before = readCpu(trees);
    const result = await runSlice({
      concurrency: s.c,
      seconds,
      next: () => request(s.route, s.c),
      onSample: (sample) => {
        if (!recording) return;
        s.ms.push(sample.ms);
        s.statuses.set(sample.status, (s.statuses.get(sample.status) ?? 0) + 1);
        const header = sample.headers["server-timing"];
        if (typeof header === "string") {
          const t = parseServerTiming(header);
          for (const seg of SEGMENTS) if (t[seg] !== undefined) s.timing[seg].push(t[seg]);
        }
      },
    });
    if (recording) {
      s.wallMs += result.wallMs;
      s.failed += result.failed;
      for (const [label, ms] of cpuSpent(before, readCpu(trees))) s.cpu.set(label, (s.cpu.get(label) ?? 0) + ms);
    }
  };

  const all = [...series.values()];
  const warmSeconds = Math.max(1, SECONDS / 2);
  console.log(
    `[bench] warm-up: ${all.length} slices of ${warmSeconds} s; then ${ROUNDS} rounds × ${all.length} slices of ${SECONDS} s`,
  );
  for (const s of all) await slice(s, warmSeconds);
  recording = true;
  firstMeasured = n;
  for (let round = 0; round < ROUNDS; round++) {
    const order = all.map((_, i) => all[(i + round * 3) % all.length]!);
    for (const s of order) await slice(s, SECONDS);
    console.log(`[bench] round ${round + 1}/${ROUNDS} done`);
  }
  recording = false;
  // Log lines trail their responses a little.
  await new Promise((r) => setTimeout(r, 500));

  report(app);
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
const rps = (s: Series) => (s.ms.length / s.wallMs) * 1000;
const get = (key: string, c: number) => series.get(`${key}.c${c}`)!;

function report(app: Stack): void {
  console.log(`\nAPI request path vs bare Hono, through wrangler dev on this machine`);
  for (const line of machineLines()) console.log(`  ${line}`);
  console.log(`  database  ${app.database}`);
  console.log(`  app log   LOG_LEVEL=${values["app-log-level"] ?? "info"} (one JSON line per request at info)`);
  console.log(`  api       ${app.url}${app.owned ? " (started by this run)" : ""}; bare ${bare?.url}`);
  console.log(
    `  load      closed loop, ${ROUNDS} rounds × ${SECONDS} s per (route, c), interleaved; ${USERS} users, ${IPS.length} client IPs\n`,
  );

  const head = `${"route".padEnd(26)} ${"c".padStart(3)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"×bare".padStart(7)} ${"p50−bare".padStart(9)}  non-2xx`;
  console.log(head);
  let unexpected = 0;
  for (const c of CONCURRENCIES) {
    const base = get("bare", c);
    for (const route of ROUTES) {
      const s = get(route.key, c);
      const bad = [...s.statuses].filter(([status]) => status !== route.expect);
      const non2xx = [...s.statuses].filter(([status]) => status < 200 || status > 299).reduce((a, [, k]) => a + k, 0);
      unexpected += bad.reduce((a, [, k]) => a + k, 0) + s.failed;
      const notes = [
        ...bad.map(([status, k]) => `${status}×${k}`),
        ...(s.failed ? [`${s.failed} without response`] : []),
      ].join(" ");
      console.log(
        `${route.label.padEnd(26)} ${String(c).padStart(3)} ${rps(s).toFixed(0).padStart(8)} ${f2(pct(s.ms, 50)).padStart(8)} ${f2(pct(s.ms, 99)).padStart(8)} ${f2(rps(s) / rps(base)).padStart(7)} ${f2(pct(s.ms, 50) - pct(base.ms, 50)).padStart(9)}  ${non2xx}${notes ? `  (${notes})` : ""}`,
      );
    }
  }
  console.log(
    unexpected ? `\n${unexpected} responses other than expected (see above)` : "\nevery response as expected (no 429s)",
  );

  console.log(`\nwhere the time goes (Server-Timing, ms): median (mean)`);
  console.log(
    `${"route".padEnd(26)} ${"c".padStart(3)} ${SEGMENTS.map((seg) => seg.padStart(13)).join("")} ${"client−total".padStart(14)}`,
  );
  for (const c of CONCURRENCIES)
    for (const route of ROUTES.filter((r) => r.target === "app")) {
      const s = get(route.key, c);
      const cells = SEGMENTS.map((seg) => `${f1(pct(s.timing[seg], 50))} (${f2(mean(s.timing[seg]))})`.padStart(13));
      console.log(
        `${route.label.padEnd(26)} ${String(c).padStart(3)} ${cells.join("")} ${f2(mean(s.ms) - mean(s.timing.total)).padStart(14)}`,
      );
    }
  console.log(
    `(client−total: mean client latency minus mean Server-Timing total, i.e. outside the app's middleware: HTTP, workerd, the client)`,
  );

  reportCpu();

  const limited = ROUTES.filter((r) => r.auth).map((r) => get(r.key, 16));
  const limitMs = limited.flatMap((s) => s.timing.limit);
  const loggedMs = limited.flatMap((s) => s.loggedLimit);
  if (loggedMs.length) {
    console.log(
      `\nlimiter decisions per request from the request log (rateLimit.ip.ms + rateLimit.user.ms), c=16: ` +
        `p50 ${f1(pct(loggedMs, 50))}, mean ${f2(mean(loggedMs))}, p99 ${f1(pct(loggedMs, 99))} ms (n=${loggedMs.length})`,
    );
  }

  console.log(`\ngoals`);
  const goal = (text: string, value: string, met: boolean) =>
    console.log(`  ${text.padEnd(48)} ${value.padStart(16)}  ${met ? "met" : "NOT met"}`);
  for (const key of ["me", "leads"]) {
    const s = get(key, 16);
    const ratio = rps(s) / rps(get("bare", 16));
    goal(`${s.route.label} c=16 ≥ 0.5× bare req/s`, `${f2(ratio)}×`, ratio >= 0.5);
  }
  for (const key of ["me", "leads"]) {
    const s = get(key, 1);
    const added = pct(s.ms, 50) - pct(get("bare", 1).ms, 50);
    goal(`${s.route.label} c=1 p50 ≤ bare p50 + 6 ms`, `+${f2(added)} ms`, added <= 6);
  }
  {
    const s = get("contacts", 16);
    const ratio = rps(s) / rps(get("bare", 16));
    goal(`${s.route.label} c=16 ≥ 0.35× bare req/s`, `${f2(ratio)}×`, ratio >= 0.35);
  }
  {
    const p50 = pct(limitMs, 50);
    goal("limiter p50 ≤ 1 ms at c=16 (Server-Timing limit)", `${f1(p50)} ms`, p50 <= 1);
  }
  console.log(`  (clock resolution in the Worker: 1 ms, see workers/http/server-timing.ts)`);
}

/** CPU per request of every process involved, at c=16: where the machine's cores go. */
function reportCpu(): void {
  const labels = [...new Set([...series.values()].flatMap((s) => [...s.cpu.keys()]))].sort();
  if (!labels.length) {
    console.log("\nCPU per request: not measured (no /proc, or the stack was not started by this run)");
    return;
  }
  console.log(`\nCPU per request at c=16, ms (all processes of the run, /proc; 10 ms ticks over all slices)`);
  const short = (label: string) => label.replace(" (this process)", "").replace("local services", "services");
  console.log(
    `${"route".padEnd(26)} ${labels.map((l) => short(l).padStart(Math.max(10, short(l).length + 1))).join("")} ${"total".padStart(8)}`,
  );
  for (const route of ROUTES) {
    const s = get(route.key, 16);
    const n = s.ms.length;
    if (!n) continue;
    const cells = labels.map((l) => f2((s.cpu.get(l) ?? 0) / n).padStart(Math.max(10, short(l).length + 1)));
    const total = [...s.cpu.values()].reduce((a, b) => a + b, 0) / n;
    console.log(`${route.label.padEnd(26)} ${cells.join("")} ${f2(total).padStart(8)}`);
  }
}

try {
  await main();
} finally {
  console.log("[bench] stopping …");
  await Promise.all([stack?.stop(), bare?.stop()]);
}

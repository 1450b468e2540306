// Rate-limiter benchmark through `wrangler dev` on this machine:
//   npm run bench:ratelimit -- [--url http://127.0.0.1:8787] [--requests 3000] [--concurrency 8]
//
// Without --url it starts the local stack itself (`node scripts/start.ts` on a free port, in its
// own state directory: PGlite, proxies, JWKS, wrangler dev; bench/support/stack.ts), and stops it
// at the end; with --url it uses a running `npm start` (keys and state from .local/dev). Prints,
// for the same number of requests sent interleaved in the same run at the same concurrency:
//   A. no limiter      GET /webhooks/__bench   (the per-IP limiter skips /webhooks/; 404)
//   B. per-IP limiter  GET /__bench            (per-IP decision: a lease, else the TenantLimiterDO; 404)
//   C. both limiters   GET /v1/__bench + token (JWT, per-IP and per-user decisions; 404)
// latency p50/p99 and requests/s for each, the limiter's added latency B − A (ms and ratio), and
// the in-Worker decision times the middleware logs (`rateLimit.ip.ms`, `rateLimit.user.ms`) when
// this script started the stack and can read its log. Target: the limiter adds < 1 ms at p50.
// Each request carries its own CF-Connecting-IP from a pool (and C a user from a pool), so the
// run measures decisions, not a 429 storm.
import { parseArgs } from "node:util";
import { runningStack, startStack, type RequestLogEntry, type Stack } from "./support/stack.ts";
import { pct } from "./support/stats.ts";
import { benchTokens, clientIps } from "./support/tokens.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    requests: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "8" },
  },
  strict: true,
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const IPS = clientIps(200); // ≤ 1,000 requests per IP per minute for any sane --requests
const USERS = 50;

let stack: Stack | undefined;
const decisionMs: { ip: number[]; user: number[] } = { ip: [], user: [] };

function onRequestLog(entry: RequestLogEntry): void {
  const rl = entry.data?.rateLimit;
  if (!rl) return;
  if (typeof rl.ip?.ms === "number") decisionMs.ip.push(rl.ip.ms);
  if (typeof rl.user?.ms === "number") decisionMs.user.push(rl.user.ms);
}

interface Series {
  name: string;
  ms: number[];
  statuses: Map<number, number>;
  wallMs: number;
}

const f = (n: number) => n.toFixed(3);

async function main(): Promise<void> {
  stack = values.url ? runningStack(values.url) : await startStack({ onRequestLog });
  const base = stack.url;
  const tokens = await benchTokens(stack.keys, stack.state, { tenant: "demo", users: USERS });

  const kinds = [
    { name: "A  no limiter      /webhooks/__bench", path: "/webhooks/__bench", auth: false },
    { name: "B  per-IP limiter  /__bench", path: "/__bench", auth: false },
    { name: "C  IP+user limiter /v1/__bench (+JWT)", path: "/v1/__bench", auth: true },
  ];
  const series: Series[] = kinds.map((k) => ({ name: k.name, ms: [], statuses: new Map(), wallMs: 0 }));

  let seq = 0;
  const one = async (kind: number, i: number) => {
    const k = kinds[kind]!;
    const headers: Record<string, string> = {
      "cf-connecting-ip": IPS[i % IPS.length]!,
    };
    if (k.auth) headers.authorization = `Bearer ${tokens[i % USERS]}`;
    const t = performance.now();
    const res = await fetch(`${base}${k.path}`, { headers });
    await res.arrayBuffer();
    const s = series[kind]!;
    s.ms.push(performance.now() - t);
    s.statuses.set(res.status, (s.statuses.get(res.status) ?? 0) + 1);
  };
  const run = async (kind: number, n: number) => {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) await one(kind, seq + next++);
      }),
    );
    series[kind]!.wallMs += performance.now() - started;
    seq += n;
  };

  // Warm-up (JIT, DO creation for every IP and user, JWKS fetch), not measured.
  for (let kind = 0; kind < kinds.length; kind++) await run(kind, Math.max(IPS.length, USERS));
  for (const s of series) {
    s.ms.length = 0;
    s.statuses.clear();
    s.wallMs = 0;
  }
  decisionMs.ip.length = 0;
  decisionMs.user.length = 0;

  // Interleaved rounds so drift (GC, thermal, other load) hits every series alike.
  const ROUND = 250;
  for (let done = 0; done < REQUESTS; done += ROUND) {
    for (let kind = 0; kind < kinds.length; kind++) await run(kind, Math.min(ROUND, REQUESTS - done));
  }

  console.log(
    `\nRate limiter through wrangler dev (${base}), ${REQUESTS} requests per series, concurrency ${CONCURRENCY}\n`,
  );
  console.log("series                                    p50 ms   p99 ms    req/s   statuses");
  for (const s of series) {
    const statuses = [...s.statuses].map(([k, v]) => `${k}×${v}`).join(" ");
    console.log(
      `${s.name.padEnd(40)} ${f(pct(s.ms, 50)).padStart(7)} ${f(pct(s.ms, 99)).padStart(8)} ${((s.ms.length / s.wallMs) * 1000).toFixed(0).padStart(8)}   ${statuses}`,
    );
  }
  const [a, b, c] = series as [Series, Series, Series];
  const added50 = pct(b.ms, 50) - pct(a.ms, 50);
  const added99 = pct(b.ms, 99) - pct(a.ms, 99);
  console.log(
    `\nper-IP limiter adds ${f(added50)} ms at p50 (×${(pct(b.ms, 50) / pct(a.ms, 50)).toFixed(2)}), ${f(added99)} ms at p99 (×${(pct(b.ms, 99) / pct(a.ms, 99)).toFixed(2)})`,
  );
  console.log(
    `IP + user limiters + JWT add ${f(pct(c.ms, 50) - pct(a.ms, 50))} ms at p50 (×${(pct(c.ms, 50) / pct(a.ms, 50)).toFixed(2)}) over no limiter`,
  );
  console.log(
    `limiter decisions/s (series B, one decision per request): ${((b.ms.length / b.wallMs) * 1000).toFixed(0)}`,
  );
  if (decisionMs.ip.length || decisionMs.user.length) {
    console.log(
      `in-Worker decision time (from the request log): ip p50 ${f(pct(decisionMs.ip, 50))} / p99 ${f(pct(decisionMs.ip, 99))} ms (n=${decisionMs.ip.length}); ` +
        `user p50 ${f(pct(decisionMs.user, 50))} / p99 ${f(pct(decisionMs.user, 99))} ms (n=${decisionMs.user.length})`,
    );
  }
  console.log(`target: < 1 ms added at p50 → ${added50 < 1 ? "met" : "NOT met"}`);
}

try {
  await main();
} finally {
  await stack?.stop();
}

import WebSocket from "ws";
import { runSlice } from "./support/load.ts";
import { startStack } from "./support/stack.ts";
import { benchTokens, clientIps } from "./support/tokens.ts";

const stack = await startStack({ database: "postgres" });
const tokens = await benchTokens(stack.keys, stack.state, { users: 40 });
const ips = clientIps(200);
const path = process.argv[2] ?? "/v1/me";
let n = 0;
const next = () => ({
  method: "GET" as const,
  url: stack.url + path,
  headers: { authorization: `Bearer ${tokens[n % 40]}`, "cf-connecting-ip": ips[n++ % 200]! },
});
await runSlice({ concurrency: 16, seconds: 3, next, onSample: () => {} });
const list = (await (await fetch("http://127.0.0.1:9229/json")).json()) as {
  webSocketDebuggerUrl: string;
  title: string;
}[];
console.log(list.map((t) => t.title + " " + t.webSocketDebuggerUrl));
const target = list.find((t) => !/bare/.test(t.title)) ?? list[0]!;
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => ws.once("open", r));
let id = 0;
const pending = new Map<number, (v: unknown) => void>();
ws.on("message", (d) => {
  const m = JSON.parse(String(d));
  if (m.id && pending.has(m.id)) {
    pending.get(m.id)!(m.result);
    pending.delete(m.id);
  }
});
const send = (method: string, params: object = {}) =>
  new Promise<any>((res) => {
    const i = ++id;
    pending.set(i, res);
    ws.send(JSON.stringify({ id: i, method, params }));
  });
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 200 });
await send("Profiler.start");
const r = await runSlice({ concurrency: 16, seconds: 8, next, onSample: () => {} });
const { profile } = await send("Profiler.stop");
console.log(JSON.stringify(r).slice(0, 200));
const nodes = new Map<number, any>(profile.nodes.map((x: any) => [x.id, x]));
const self = new Map<number, number>();
const dt = profile.timeDeltas as number[];
profile.samples.forEach((s: number, i: number) => self.set(s, (self.get(s) ?? 0) + (dt[i] ?? 0)));
const total = dt.reduce((a, b) => a + b, 0);
const byFn = new Map<string, number>();
for (const [nid, t] of self) {
  const cf = nodes.get(nid).callFrame;
  const k = `${cf.functionName || "(anon)"} ${cf.url.split("/").slice(-2).join("/")}:${cf.lineNumber}`;
  byFn.set(k, (byFn.get(k) ?? 0) + t);
}
console.log("total sampled ms", (total / 1000).toFixed(0), "per request ms", (total / 1000 / r.completed).toFixed(3));
for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 45))
  console.log(((t / total) * 100).toFixed(1).padStart(5) + "% " + k);
// inclusive by file
const parent = new Map<number, number>();
for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const incl = new Map<string, number>();
for (const [nid, t] of self) {
  const seen = new Set<string>();
  let cur: number | undefined = nid;
  while (cur !== undefined) {
    const cf = nodes.get(cur).callFrame;
    const k = `${cf.functionName || "(anon)"} ${cf.url.split("/").slice(-2).join("/")}`;
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + t);
    }
    cur = parent.get(cur);
  }
}
console.log("--- inclusive");
for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60))
  console.log(((t / total) * 100).toFixed(1).padStart(5) + "% " + k);
ws.close();
await stack.stop();

// CPU time of the processes a benchmark drives, from /proc (Linux; elsewhere every reading is
// empty and the report says so). On a small machine the load generator, wrangler's own processes,
// the local services and the Worker all share the same cores, so a route's throughput is set by the
// CPU ALL of them spend per request; this tells which part is whose.
import { readdirSync, readFileSync } from "node:fs";

/** utime + stime of each process, in clock ticks (USER_HZ, 100 per second on Linux). */
const TICK_MS = 10;

interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
  cmdline: string;
}

function readProcesses(): ProcessInfo[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // comm may contain spaces and parentheses: the fields after it start at the last ")".
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.push({
        pid: Number(pid),
        ppid: Number(fields[1]),
        comm,
        ticks: Number(fields[11]) + Number(fields[12]),
        cmdline: readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "),
      });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Which part of the bench a process is, by what it runs. */
function part(p: ProcessInfo): string {
  if (p.comm === "workerd") return "workerd";
  if (p.cmdline.includes("pglite")) return "postgres";
  if (p.cmdline.includes("wrangler")) return "wrangler (node)";
  return "local services (node)";
}

export interface CpuReading {
  /** Per process: its label ("tree: part") and CPU ms so far. */
  byPid: Map<number, { label: string; ms: number }>;
}

/**
 * CPU used so far by each named process tree, split into parts (workerd, wrangler's node, local
 * services), by the PostgreSQL cluster, and by this process itself (`load generator`).
 */
export function readCpu(trees: { name: string; pid: number | undefined }[]): CpuReading {
  const all = readProcesses();
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const out = new Map<number, { label: string; ms: number }>();
  const add = (p: ProcessInfo, label: string) => out.set(p.pid, { label, ms: p.ticks * TICK_MS });
  for (const tree of trees) {
    if (tree.pid === undefined) continue;
    const stack = [byPid.get(tree.pid)].filter((p): p is ProcessInfo => p !== undefined);
    while (stack.length) {
      const p = stack.pop()!;
      add(p, `${tree.name}: ${part(p)}`);
      stack.push(...(children.get(p.pid) ?? []));
    }
  }
  // The PostgreSQL cluster daemonizes (pg_ctl): its processes are not in the stack's tree.
  for (const p of all) if (p.comm === "postgres" && !out.has(p.pid)) add(p, "postgres");
  const self = byPid.get(process.pid);
  if (self) add(self, "load generator (this process)");
  return { byPid: out };
}

/**
 * CPU spent between two readings, per label. A process that ended in between is left out (its
 * last ticks are unknown), one that started is counted whole.
 */
export function cpuSpent(before: CpuReading, after: CpuReading): Map<string, number> {
  const out = new Map<string, number>();
  for (const [pid, { label, ms }] of after.byPid) {
    const spent = ms - (before.byPid.get(pid)?.ms ?? 0);
    out.set(label, (out.get(label) ?? 0) + Math.max(0, spent));
  }
  return out;
}

import type { Hono } from "hono";
import { AppError } from "./problem.ts";

interface RouteEntry {
  method: string;
  path: string;
}

function patternToRegExp(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => {
      if (segment === "*") return ".*";
      if (segment.startsWith(":")) return "[^/]+";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/**
 * Hono answers 404 for a known path with the wrong method; the API answers 405 with `Allow`.
 * Built once from the registered routes (middleware is registered as method ALL and skipped).
 */
export function notFoundOrMethodNotAllowed(app: Hono<never> | { routes: RouteEntry[] }) {
  let table: { re: RegExp; methods: Set<string> }[] | undefined;
  return (path: string, method: string): AppError => {
    table ??= buildTable(app.routes as RouteEntry[]);
    const allowed = new Set<string>();
    for (const entry of table) if (entry.re.test(path)) for (const m of entry.methods) allowed.add(m);
    if (allowed.size > 0 && !allowed.has(method)) {
      if (allowed.has("GET")) allowed.add("HEAD");
      const allow = [...allowed].sort().join(", ");
      return new AppError("METHOD_NOT_ALLOWED", `${method} is not allowed here; use ${allow}`, { headers: { allow } });
    }
    return new AppError("NOT_FOUND", "no such route");
  };
}

function buildTable(routes: RouteEntry[]) {
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) {
    if (r.method === "ALL") continue;
    const set = byPath.get(r.path) ?? new Set<string>();
    set.add(r.method.toUpperCase());
    byPath.set(r.path, set);
  }
  return [...byPath.entries()].map(([path, methods]) => ({ re: patternToRegExp(path), methods }));
}

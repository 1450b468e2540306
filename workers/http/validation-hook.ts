import type { Hook } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { AppError } from "./problem.ts";

interface Issue {
  path: PropertyKey[];
  message: string;
  code: string;
}

/** zod failures become one 400 problem with a field error per issue (`body.items.0.quantity`). */
export const validationHook: Hook<unknown, HonoEnv, string, unknown> = (result) => {
  if (result.success) return;
  const target = (result as { target?: string }).target ?? "request";
  const issues = (result as { error: { issues: Issue[] } }).error.issues;
  const where = target === "json" ? "body" : target;
  throw new AppError("BAD_REQUEST", "request validation failed", {
    errors: issues.map((i) => ({
      path: [where, ...i.path.map(String)].join("."),
      message: i.message,
      code: i.code,
    })),
  });
};

import { z } from "@hono/zod-openapi";
import { ERROR_CODES, type ErrorCode } from "./problem.ts";

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "https://docs.zuclubit.mx/problems/not-found" }),
    title: z.string().openapi({ example: "Not found" }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().openapi({ example: "lead not found" }),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
      .optional()
      .openapi({ description: "Field errors, for validation failures" }),
  })
  .openapi("Problem");

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request or failed validation",
  401: "Missing or invalid token",
  403: "Authenticated, but not allowed (role, tenant suspended)",
  404: "Not found (or not yours)",
  409: "Conflict with the current state",
  412: "If-Match does not match the current ETag",
  413: "Body too large",
  422: "Well-formed but not acceptable",
  429: "Rate limited",
  500: "Unexpected error",
  502: "An upstream provider failed or refused our credentials",
  503: "A dependency is unavailable",
  504: "An upstream provider did not answer in time",
};

/** The shared problem+json responses of a route, for its OpenAPI definition. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? "Error",
        content: { "application/problem+json": { schema: ProblemSchema } },
      },
    ]),
  );
}

export const AUTHENTICATED_ERRORS = [400, 401, 403, 429, 500] as const;

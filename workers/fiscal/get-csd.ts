import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getFiscalProfile } from "../../db/fiscal/fiscal-profile-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { CsdSchema, toCsd } from "./fiscal-profile-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/fiscal-profile/csd",
  tags: ["Invoicing"],
  summary: "The account's CSD: certificate number, RFC and validity",
  description:
    "Never the key. `status` is `expiring` within 30 days and `expired` after validTo. 404 while none is loaded.",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: "The CSD", content: { "application/json": { schema: CsdSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetCsd(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const [rows] = await readRun(c, [getFiscalProfile(c.get("auth").tenantId)]);
    const csd = rows[0] ? toCsd(rows[0]) : null;
    if (!csd) throw new AppError("NOT_FOUND", "la cuenta no tiene un CSD cargado (POST /v1/fiscal-profile/csd)");
    return c.json(csd, 200);
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getFiscalProfile } from "../../db/fiscal/fiscal-profile-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { readRun } from "../services.ts";
import { FiscalProfileSchema, toFiscalProfile } from "./fiscal-profile-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/fiscal-profile",
  tags: ["Invoicing"],
  summary: "The account's issuer profile for CFDI (RFC, régimen, CSD, PAC)",
  description:
    "Never returns the CSD's key or the PAC's credentials: only the certificate's number, RFC and validity, and whether credentials are set. 404 until an admin sets the profile. `ETag` is the version, for `If-Match` on PUT.",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: "The profile", content: { "application/json": { schema: FiscalProfileSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetFiscalProfile(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const [rows] = await readRun(c, [getFiscalProfile(c.get("auth").tenantId)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "la cuenta aún no tiene perfil fiscal (PUT /v1/fiscal-profile)");
    return c.json(toFiscalProfile(row), 200, { etag: etagOf(row.version) });
  });
}

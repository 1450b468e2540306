import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { PAC_ENVIRONMENTS, PAC_PROVIDERS } from "../../core/fiscal/fiscal-profile.ts";
import { pacCredentialIssues, sealPacCredentials } from "../../core/fiscal/pac-credentials.ts";
import { setPac } from "../../db/fiscal/fiscal-profile-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { writeRun } from "../services.ts";
import { encryptionSecret } from "../http/encryption-secret.ts";
import { FiscalProfileSchema, toFiscalProfile } from "./fiscal-profile-schema.ts";

const PutPacSchema = z
  .object({
    provider: z.enum(PAC_PROVIDERS).openapi({ example: "finkok" }),
    environment: z
      .enum(PAC_ENVIRONMENTS)
      .openapi({ example: "test", description: "The PAC's demo or production service" }),
    credentials: z
      .record(z.string().regex(/^[a-z]{1,20}$/), z.string().min(1).max(2_048))
      .default({})
      .openapi({ example: { username: "facturacion@example.mx", password: "••••••" } }),
  })
  .openapi("PutPac");

const route = createRoute({
  method: "put",
  path: "/v1/fiscal-profile/pac",
  tags: ["Invoicing"],
  summary: "Choose the account's PAC and give its credentials (admin)",
  description: [
    "`sandbox` (no credentials: the local PAC whose stamps say SIN VALIDEZ FISCAL), `finkok` (`username`, `password`) or `sw` (`user` + `password`, or `token`), each in its `test` or `production` service.",
    "Credentials are write-only: stored encrypted (AES-256-GCM under ENCRYPTION_SECRET; 503 without it), answered as `credentialsSet`. A missing or foreign credential is a 422 naming it. 409 until the profile exists.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin")] as const,
  request: { body: { required: true, content: { "application/json": { schema: PutPacSchema } } } },
  responses: {
    200: { description: "The profile", content: { "application/json": { schema: FiscalProfileSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 422, 503),
  },
});

export function registerPutPac(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const tenantId = c.get("auth").tenantId;
    const issues = pacCredentialIssues(input.provider, input.credentials);
    if (issues.length > 0) {
      throw new AppError("UNPROCESSABLE", "las credenciales no corresponden al PAC", {
        errors: issues.map((i) => ({
          path: `body.credentials.${i.name}`,
          message: i.message,
          code: "pac_credentials",
        })),
      });
    }
    const envelope =
      Object.keys(input.credentials).length === 0
        ? null
        : await sealPacCredentials(encryptionSecret(c.get("config")), tenantId, input.credentials);
    const [rows] = await writeRun(c, { resourcePath: "/v1/fiscal-profile", status: 200 }, [
      setPac(tenantId, { provider: input.provider, environment: input.environment, credentialsEnvelope: envelope }),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("CONFLICT", "Configura primero el perfil fiscal (PUT /v1/fiscal-profile).");
    return c.json(toFiscalProfile(row), 200, { etag: etagOf(row.version) });
  });
}

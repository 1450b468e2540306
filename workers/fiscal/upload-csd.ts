import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { CertificateInfo } from "../../core/cfdi/certificate.ts";
import { checkCertificateForInvoice, loadCsdForSealing } from "../../core/cfdi/csd.ts";
import { CfdiError, type Issue } from "../../core/cfdi/errors.ts";
import { sealPrivateKey } from "../../core/cfdi/key-envelope.ts";
import { getFiscalProfile, setCsd } from "../../db/fiscal/fiscal-profile-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { readRun, writeRun } from "../services.ts";
import { encryptionSecret } from "../http/encryption-secret.ts";
import { CsdSchema, toCsd } from "./fiscal-profile-schema.ts";

// POST /v1/fiscal-profile/csd (issue 13): the tenant's certificado de sello digital, as SAT hands
// it over (.cer, password-protected .key, password). Checked as a CSD (not an e.firma), valid now,
// issued to the profile's RFC, key matching the certificate; then the decrypted key is kept only
// in an AES-256-GCM envelope under ENCRYPTION_SECRET, and the password nowhere.

/** SAT's .cer and .key are about 1.5 KB each; a body past this is refused before it is read (app.ts). */
export const CSD_UPLOAD_MAX_BODY_BYTES = 64 * 1024;
export const CSD_UPLOAD_PATH = "/v1/fiscal-profile/csd";
const MAX_FILE_BYTES = 16 * 1024;
const MAX_PASSWORD_CHARS = 256;

// Declared optional: a missing part is the handler's 422 naming it, like every other refusal here.
const binary = () => z.any().optional().openapi({ type: "string", format: "binary" });

const route = createRoute({
  method: "post",
  path: CSD_UPLOAD_PATH,
  tags: ["Invoicing"],
  summary: "Load the account's CSD (admin)",
  description: [
    "multipart/form-data with `cer` (the .cer file), `key` (the .key file, encrypted as SAT delivers it) and `password`.",
    "",
    "- Refused with 422, naming the field: a file that is not a certificate or a SAT key, a wrong password, a key of another certificate, an e.firma (FIEL) instead of a CSD, a certificate not valid today, or one issued to another RFC than the profile's.",
    `- Files over ${MAX_FILE_BYTES / 1024} KiB each are 422; a body over ${CSD_UPLOAD_MAX_BODY_BYTES / 1024} KiB is 413.`,
    "- The key is stored only encrypted (AES-256-GCM under the ENCRYPTION_SECRET Worker secret; 503 without it) and the password is not stored. Loading another CSD replaces this one.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin")] as const,
  request: {
    body: {
      required: true,
      content: {
        "multipart/form-data": {
          schema: z.object({ cer: binary(), key: binary(), password: z.any().optional().openapi({ type: "string" }) }),
        },
      },
    },
  },
  responses: {
    200: { description: "Loaded", content: { "application/json": { schema: CsdSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 413, 415, 422, 503),
  },
});

function invalid(issues: { field: string; code: string; message: string }[]): AppError {
  return new AppError("UNPROCESSABLE", "el CSD no se puede cargar", {
    errors: issues.map((i) => ({ path: `body.${i.field}`, message: i.message, code: i.code })),
  });
}

/** The upload field a CFDI engine issue is about. */
function fieldOf(issue: Issue): string {
  if (issue.path === "password" || issue.code === "KEY_PASSWORD") return "password";
  if (issue.code.startsWith("KEY_") || issue.code === "CSD_KEY_MISMATCH") return "key";
  return "cer";
}

async function fileBytes(value: unknown, field: string): Promise<Uint8Array> {
  if (!(value instanceof File))
    throw invalid([{ field, code: "required", message: `falta el archivo ${field === "cer" ? ".cer" : ".key"}` }]);
  if (value.size === 0 || value.size > MAX_FILE_BYTES)
    throw invalid([
      { field, code: "size", message: `el archivo debe tener entre 1 byte y ${MAX_FILE_BYTES / 1024} KiB` },
    ]);
  return new Uint8Array(await value.arrayBuffer());
}

export function registerUploadCsd(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const form = c.req.valid("form") as Record<string, unknown>;
    const secret = encryptionSecret(c.get("config"));
    const tenantId = c.get("auth").tenantId;
    const cer = await fileBytes(form.cer, "cer");
    const key = await fileBytes(form.key, "key");
    const password = form.password;
    if (typeof password !== "string" || password.length === 0 || password.length > MAX_PASSWORD_CHARS)
      throw invalid([
        {
          field: "password",
          code: "required",
          message: `la contraseña de la llave (1 a ${MAX_PASSWORD_CHARS} caracteres)`,
        },
      ]);

    const [profiles] = await readRun(c, [getFiscalProfile(tenantId)]);
    const profile = profiles[0];
    if (!profile) throw new AppError("CONFLICT", "Configura primero el perfil fiscal (PUT /v1/fiscal-profile).");

    let pkcs8: Uint8Array;
    let certificate: CertificateInfo;
    try {
      const loaded = await loadCsdForSealing(cer, key, password);
      certificate = loaded.csd.certificate;
      pkcs8 = loaded.pkcs8;
    } catch (err) {
      if (err instanceof CfdiError)
        throw invalid(err.issues.map((i) => ({ field: fieldOf(i), code: i.code, message: i.message })));
      throw err;
    }
    const problems = checkCertificateForInvoice(certificate, profile.rfc, new Date());
    if (problems.length > 0)
      throw invalid(problems.map((i) => ({ field: fieldOf(i), code: i.code, message: i.message })));

    const [rows] = await writeRun(c, { resourcePath: CSD_UPLOAD_PATH, status: 200 }, [
      setCsd(tenantId, profile.rfc, {
        certificate: certificate.base64,
        noCertificado: certificate.noCertificado,
        validFrom: certificate.notBefore.toISOString(),
        validTo: certificate.notAfter.toISOString(),
        keyEnvelope: await sealPrivateKey(pkcs8, secret, certificate.noCertificado),
      }),
    ]);
    pkcs8.fill(0);
    const row = rows[0];
    if (!row)
      throw new AppError("CONFLICT", "El RFC del perfil fiscal cambió mientras se cargaba el CSD; intenta de nuevo.");
    c.set("logFields", { ...c.get("logFields"), csd: { noCertificado: certificate.noCertificado } });
    return c.json(toCsd(row)!, 200, { etag: etagOf(row.version) });
  });
}

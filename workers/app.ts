import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { HonoEnv } from "./context.ts";
import { onError, renderError } from "./http/error-handler.ts";
import { notFoundOrMethodNotAllowed } from "./http/method-not-allowed.ts";
import { AppError } from "./http/problem.ts";
import { validationHook } from "./http/validation-hook.ts";
import { authenticate } from "./middleware/authenticate.ts";
import { requestContext } from "./middleware/request-context.ts";
import { ipRateLimit, userRateLimit } from "./middleware/rate-limit.ts";
import { registerGetMe } from "./me/get-me.ts";
import { registerContactRoutes } from "./contacts/routes.ts";
import { registerProposalRoutes } from "./proposals/routes.ts";
import { registerActivityRoutes } from "./activities/routes.ts";
import {
  VERIFY_CFDI_MAX_BODY_BYTES,
  VERIFY_CFDI_PATH,
  VERIFY_CFDI_TOO_LARGE,
  registerVerifyCfdi,
} from "./cfdi/verify-cfdi.ts";
import { registerLeadSourceRoutes } from "./lead-sources/routes.ts";
import { registerCustomerRoutes } from "./customers/routes.ts";
import { registerLeadRoutes } from "./leads/routes.ts";
import { registerWhatsAppRoutes } from "./whatsapp/routes.ts";
import { registerFiscalRoutes } from "./fiscal/routes.ts";
import { registerInvoiceRoutes } from "./invoices/routes.ts";
import { registerMsiRoutes } from "./msi/routes.ts";
import { CSD_UPLOAD_MAX_BODY_BYTES, CSD_UPLOAD_PATH } from "./fiscal/upload-csd.ts";
import { idempotency } from "./http/idempotency.ts";
import { registerHealth } from "./system/health.ts";
import { registerPutTenantLimits } from "./tenant/put-tenant-limits.ts";
import { registerGetOutboxCounts } from "./ops/get-outbox-counts.ts";
import { registerDocs } from "./system/openapi.ts";
import { registerPublicPages } from "./public/routes.tsx";
import { registerDownloadDocument } from "./documents/download-document.ts";
import {
  WHATSAPP_WEBHOOK_MAX_BODY_BYTES,
  WHATSAPP_WEBHOOK_PREFIX,
  WHATSAPP_WEBHOOK_TOO_LARGE,
} from "./whatsapp/webhooks/receive-delivery.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

/** 413 problem with `detail` once the body passes `maxSize` (by Content-Length, or while streaming in). */
function limitBody(maxSize: number, detail: string): MiddlewareHandler<HonoEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", detail);
    },
  });
}

export function createApp(): OpenAPIHono<HonoEnv> {
  const app = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook });

  app.use("*", requestContext);
  app.use("*", ipRateLimit);
  // One body limit per request, applied before anything reads the body: a route that states its
  // own limit gets it instead of the app-wide one (a second, route-level bodyLimit could only lower it).
  const defaultBodyLimit = limitBody(MAX_BODY_BYTES, `request body exceeds ${MAX_BODY_BYTES} bytes`);
  const routeBodyLimits = new Map([
    [VERIFY_CFDI_PATH, limitBody(VERIFY_CFDI_MAX_BODY_BYTES, VERIFY_CFDI_TOO_LARGE)],
    [
      CSD_UPLOAD_PATH,
      limitBody(CSD_UPLOAD_MAX_BODY_BYTES, `a CSD upload is at most ${CSD_UPLOAD_MAX_BODY_BYTES} bytes`),
    ],
  ]);
  const webhookBodyLimit = limitBody(WHATSAPP_WEBHOOK_MAX_BODY_BYTES, WHATSAPP_WEBHOOK_TOO_LARGE);
  app.use("*", (c, next) => {
    const path = c.req.path;
    const limit = path.startsWith(WHATSAPP_WEBHOOK_PREFIX) ? webhookBodyLimit : routeBodyLimits.get(path);
    return (limit ?? defaultBodyLimit)(c, next);
  });
  app.use("/v1/*", authenticate);
  app.use("/v1/*", userRateLimit);
  app.use(
    "/v1/*",
    idempotency(async (c, path) =>
      app.fetch(
        new Request(new URL(path, c.req.url), { headers: { authorization: c.req.header("authorization") ?? "" } }),
        c.env,
        c.executionCtx,
      ),
    ),
  );

  registerHealth(app);
  registerPutTenantLimits(app);
  registerGetOutboxCounts(app);
  registerGetMe(app);
  registerContactRoutes(app);
  registerProposalRoutes(app);
  registerActivityRoutes(app);
  registerVerifyCfdi(app);
  registerLeadSourceRoutes(app);
  registerCustomerRoutes(app);
  registerLeadRoutes(app);
  registerWhatsAppRoutes(app);
  registerFiscalRoutes(app);
  registerInvoiceRoutes(app);
  registerMsiRoutes(app);
  registerDownloadDocument(app);
  registerPublicPages(app);
  registerDocs(app);

  const unmatched = notFoundOrMethodNotAllowed(app);
  app.notFound((c) => renderError(unmatched(c.req.path, c.req.method), c));
  app.onError(onError);
  return app;
}

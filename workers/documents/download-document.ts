import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { attachmentDisposition, openDownloadLink } from "../../core/documents/download-link.ts";
import type { HonoEnv } from "../context.ts";
import { problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";

// GET /documents/{token}: the short-lived signed download links that go out in WhatsApp messages
// (and, with invoicing, to customers). No JWT: the token is the authority, and it names one R2
// object. The request log names the route pattern only, never the token.

const route = createRoute({
  method: "get",
  path: "/documents/{token}",
  tags: ["Documents"],
  summary: "Download a document by its signed link",
  description:
    "Links are issued by the API (e.g. a proposal PDF sent over WhatsApp) and are valid for 15 minutes. An unknown or altered link is 404; an expired one is 410.",
  request: { params: z.object({ token: z.string().max(1_200) }) },
  responses: {
    200: {
      description: "The document",
      content: {
        "application/pdf": { schema: z.string().openapi({ format: "binary" }) },
        "application/xml": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
    ...problemResponses(404, 410, 429),
  },
});

const notFound = () => new AppError("NOT_FOUND", "el enlace de descarga no existe");

export function registerDownloadDocument(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    // The links are signed with a key derived from ENCRYPTION_SECRET; without it none verifies.
    const secret = c.get("config").ENCRYPTION_SECRET;
    if (!secret) throw notFound();
    const check = await openDownloadLink(secret, c.req.valid("param").token);
    if (!check.ok) {
      c.set("logFields", { ...c.get("logFields"), download: { refused: check.reason } });
      if (check.reason === "expired")
        throw new AppError("GONE", "el enlace de descarga venció; pide uno nuevo a quien te lo envió");
      throw notFound();
    }
    const { key, filename, contentType, expiresAt } = check.link;
    const object = await c.env.DOCUMENTS?.get(key);
    const tenantId = key.split("/")[1];
    c.set("logFields", { ...c.get("logFields"), download: { tenantId, found: Boolean(object) } });
    if (!object) throw notFound();
    const maxAge = Math.max(0, expiresAt - Math.floor(Date.now() / 1000));
    return c.body(object.body, 200, {
      "content-type": contentType,
      "content-disposition": attachmentDisposition(filename),
      "content-length": String(object.size),
      "cache-control": `private, max-age=${maxAge}`,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
  });
}

import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { renderDocsPage } from "./docs-page.ts";

const INFO = {
  title: "Zuclubit Smart CRM API",
  version: "0.1.0",
  description:
    "Multi-tenant CRM for Mexican and Latin American businesses: leads, proposals and customers, with CFDI 4.0, WhatsApp and MSI built in.",
};

export function registerDocs(app: OpenAPIHono<HonoEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Supabase access token; tenant and role from app_metadata.",
  });
  app.doc31("/openapi.json", { openapi: "3.1.0", info: INFO });
  // The routes are fixed once the app is built: render the page once per isolate.
  let page: ReturnType<typeof renderDocsPage> | undefined;
  app.get("/docs", (c) => {
    page ??= renderDocsPage(
      app.getOpenAPI31Document({ openapi: "3.1.0", info: INFO }) as Parameters<typeof renderDocsPage>[0],
    );
    c.header("cache-control", "public, max-age=300");
    return c.html(page);
  });
}

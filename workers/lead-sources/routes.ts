import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerCreateLeadSource } from "./create-lead-source.ts";
import { registerDeleteLeadSource } from "./delete-lead-source.ts";
import { registerGetLeadSource } from "./get-lead-source.ts";
import { registerListLeadSources } from "./list-lead-sources.ts";
import { registerUpdateLeadSource } from "./update-lead-source.ts";

export function registerLeadSourceRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListLeadSources(app);
  registerCreateLeadSource(app);
  registerGetLeadSource(app);
  registerUpdateLeadSource(app);
  registerDeleteLeadSource(app);
}

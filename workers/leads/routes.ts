import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerConvertLead } from "./convert-lead.ts";
import { registerCreateLead } from "./create-lead.ts";
import { registerDeleteLead } from "./delete-lead.ts";
import { registerGetLead } from "./get-lead.ts";
import { registerListLeads } from "./list-leads.ts";
import { registerLoseLead } from "./lose-lead.ts";
import { registerContactLead, registerQualifyLead } from "./move-lead.ts";
import { registerUpdateLead } from "./update-lead.ts";

export function registerLeadRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListLeads(app);
  registerCreateLead(app);
  registerGetLead(app);
  registerUpdateLead(app);
  registerDeleteLead(app);
  registerContactLead(app);
  registerQualifyLead(app);
  registerLoseLead(app);
  registerConvertLead(app);
}

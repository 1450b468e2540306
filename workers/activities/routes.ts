import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerCreateActivity } from "./create-activity.ts";
import { registerDeleteActivity } from "./delete-activity.ts";
import { registerGetActivity } from "./get-activity.ts";
import { registerListActivities } from "./list-activities.ts";
import { registerUpdateActivity } from "./update-activity.ts";

export function registerActivityRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListActivities(app);
  registerCreateActivity(app);
  registerGetActivity(app);
  registerUpdateActivity(app);
  registerDeleteActivity(app);
}

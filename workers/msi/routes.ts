import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerCancelPlan } from "./cancel-plan.ts";
import { registerCreatePlan } from "./create-plan.ts";
import { registerGetPlan } from "./get-plan.ts";
import { registerListPlans } from "./list-plans.ts";
import { registerPayInstallment } from "./pay-installment.ts";
import { registerWaiveInstallment } from "./waive-installment.ts";

export function registerMsiRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListPlans(app);
  registerCreatePlan(app);
  registerGetPlan(app);
  registerCancelPlan(app);
  registerPayInstallment(app);
  registerWaiveInstallment(app);
}

import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerCreateCustomer } from "./create-customer.ts";
import { registerDeleteCustomer } from "./delete-customer.ts";
import { registerGetCustomer } from "./get-customer.ts";
import { registerListCustomers } from "./list-customers.ts";
import { registerUpdateCustomer } from "./update-customer.ts";

export function registerCustomerRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListCustomers(app);
  registerCreateCustomer(app);
  registerGetCustomer(app);
  registerUpdateCustomer(app);
  registerDeleteCustomer(app);
}

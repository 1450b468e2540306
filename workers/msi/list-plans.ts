import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { MSI_PLAN_STATUSES } from "../../core/msi/msi-status.ts";
import { installmentsOfPlans, listPlans, planSortColumns } from "../../db/msi/msi-store.ts";
import { msiPaymentPlans } from "../../db/schema/billing.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { keyset, ListQuerySchema, page, pageSchema, parseSort } from "../http/pagination.ts";
import { readRun } from "../services.ts";
import { PlanSchema, toPlan } from "./msi-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  status: z.enum(MSI_PLAN_STATUSES).optional(),
  customerId: z.uuid().optional(),
  overdue: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "true: plans with an overdue installment; false: none" }),
  sort: z.string().optional().openapi({ description: "created, -created (default), updated, -updated" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/msi-plans",
  tags: ["MSI"],
  summary: "List installment plans",
  description: "Each plan with its installments (not its payments: GET /v1/msi-plans/{id}). Two round trips.",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of plans",
      content: { "application/json": { schema: pageSchema(PlanSchema, "MsiPlanPage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListPlans(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const tenantId = c.get("auth").tenantId;
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const { where: after, orderBy } = keyset(
      sort,
      sort.field === "updated" ? planSortColumns.updated : planSortColumns.created,
      msiPaymentPlans.id,
      query.cursor,
    );
    const filter = {
      status: query.status,
      customerId: query.customerId,
      overdue: query.overdue === undefined ? undefined : query.overdue === "true",
    };
    const [rows] = await readRun(c, [listPlans(tenantId, filter, { after, orderBy, limit: query.limit + 1 })]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : r.createdAt,
      id: r.id,
    }));
    const [installments] =
      result.data.length > 0
        ? await readRun(c, [
            installmentsOfPlans(
              tenantId,
              result.data.map((p) => p.id),
            ),
          ])
        : [[]];
    const byPlan = new Map<string, typeof installments>();
    for (const i of installments) byPlan.set(i.planId, [...(byPlan.get(i.planId) ?? []), i]);
    return c.json(
      { data: result.data.map((p) => toPlan(p, byPlan.get(p.id) ?? [])), nextCursor: result.nextCursor },
      200,
    );
  });
}

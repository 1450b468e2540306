import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { getLead } from "../../db/leads/lead-store.ts";
import { actorOf, writeRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { LeadSchema, toLead } from "./lead-schema.ts";
import { moveStatements, refusedTransition, runMove, sourcesOf, TRANSITION_ERRORS } from "./lead-transition.ts";
import { publish } from "../events/publish.ts";

const BodySchema = z.object({
  reason: z
    .string()
    .trim()
    .min(1, { error: "a reason is required" })
    .max(1000)
    .openapi({ example: "Eligió a la competencia por precio" }),
});

const route = createRoute({
  method: "post",
  path: "/v1/leads/{id}/lose",
  tags: ["Leads"],
  summary: "Mark a lead as lost (reason required)",
  description: `Allowed from ${sourcesOf("lost").join(", ")}; otherwise 409 with \`allowedTransitions\`. Writes \`Lead.Lost\`. Supports \`Idempotency-Key\`.`,
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: BodySchema } } },
  },
  responses: {
    200: {
      description: "The lost lead",
      headers: { ETag: { schema: { type: "string" } } },
      content: { "application/json": { schema: LeadSchema } },
    },
    ...TRANSITION_ERRORS,
  },
});

export function registerLoseLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const actor = actorOf(c);
    const [events, , rows] = await runMove("lost", () =>
      writeRun(c, { resourcePath: `/v1/leads/${id}`, status: 200 }, [
        ...moveStatements(actor, { id, to: "lost", event: "Lead.Lost", lostReason: reason }),
        getLead(actor.tenantId, id),
      ]),
    );
    const row = rows[0];
    if (!row) throw refusedTransition(row, "lost");
    publish(c, events);
    return c.json(toLead(row), 200, { etag: etagOf(row.version) });
  });
}

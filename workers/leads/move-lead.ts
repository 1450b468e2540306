import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { LeadStatus } from "../../core/leads/lead-status.ts";
import type { EventType } from "../../core/events/cloudevents.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf } from "../http/etag.ts";
import { getLead } from "../../db/leads/lead-store.ts";
import { actorOf, writeRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { LeadSchema, toLead } from "./lead-schema.ts";
import { moveStatements, refusedTransition, runMove, sourcesOf, TRANSITION_ERRORS } from "./lead-transition.ts";
import { publish } from "../events/publish.ts";

// The body-less moves: POST /v1/leads/{id}/contact and /qualify. (/lose needs a reason and
// /convert creates a customer: their own files.)

interface Move {
  action: "contact" | "qualify";
  to: LeadStatus;
  event: EventType;
  summary: string;
}

function registerMove(app: OpenAPIHono<HonoEnv>, move: Move): void {
  const route = createRoute({
    method: "post",
    path: `/v1/leads/{id}/${move.action}`,
    tags: ["Leads"],
    summary: move.summary,
    description: `Allowed from ${sourcesOf(move.to).join(", ")}; otherwise 409 with \`allowedTransitions\`. Writes \`${move.event}\`. Supports \`Idempotency-Key\`.`,
    security: [{ bearerAuth: [] }],
    request: { params: IdParamSchema, headers: z.object({ "idempotency-key": z.string().optional() }) },
    responses: {
      200: {
        description: "The lead after the move",
        headers: { ETag: { schema: { type: "string" } } },
        content: { "application/json": { schema: LeadSchema } },
      },
      ...TRANSITION_ERRORS,
    },
  });
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const actor = actorOf(c);
    const [events, , rows] = await runMove(move.to, () =>
      writeRun(c, { resourcePath: `/v1/leads/${id}`, status: 200 }, [
        ...moveStatements(actor, { id, to: move.to, event: move.event }),
        getLead(actor.tenantId, id),
      ]),
    );
    const row = rows[0];
    if (!row) throw refusedTransition(row, move.to);
    publish(c, events);
    return c.json(toLead(row), 200, { etag: etagOf(row.version) });
  });
}

export function registerContactLead(app: OpenAPIHono<HonoEnv>): void {
  registerMove(app, {
    action: "contact",
    to: "contacted",
    event: "Lead.Contacted",
    summary: "Mark a lead as contacted",
  });
}

export function registerQualifyLead(app: OpenAPIHono<HonoEnv>): void {
  registerMove(app, { action: "qualify", to: "qualified", event: "Lead.Qualified", summary: "Qualify a lead" });
}

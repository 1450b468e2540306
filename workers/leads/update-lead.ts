import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { getLead, updateLead } from "../../db/leads/lead-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion, preconditionFailed } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, writeRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { companyRfcProblem, LeadPatchSchema, LeadSchema, missingReference, toLead } from "./lead-schema.ts";
import { publish } from "../events/publish.ts";

const route = createRoute({
  method: "patch",
  path: "/v1/leads/{id}",
  tags: ["Leads"],
  summary: "Update a lead",
  description:
    "Status is not editable here (use the transition endpoints) and `score` is read-only. Send `If-Match` with the ETag you read to update only that version (412 otherwise). Writes `Lead.Updated`.",
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    headers: z.object({ "if-match": z.string().optional().openapi({ example: '"v3"' }) }),
    body: { required: true, content: { "application/json": { schema: LeadPatchSchema } } },
  },
  responses: {
    200: {
      description: "Updated",
      headers: { ETag: { schema: { type: "string" } } },
      content: { "application/json": { schema: LeadSchema } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 412, 422),
  },
});

export function registerUpdateLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const actor = actorOf(c);
    const expected = ifMatchVersion(c.req.header("if-match"));
    const invalid = companyRfcProblem(input.companyRfc);
    if (invalid) throw invalid;
    const { status: _status, score: _score, ...changes } = input;

    try {
      const [events, rows] = await writeRun(c, { resourcePath: `/v1/leads/${id}`, status: 200 }, [
        updateLead(actor, id, changes, expected),
        getLead(actor.tenantId, id),
      ]);
      const row = rows[0];
      if (!row) throw new AppError("NOT_FOUND", "lead not found");
      if (events.length === 0) throw preconditionFailed(row.version);
      publish(c, events);
      return c.json(toLead(row), 200, { etag: etagOf(row.version) });
    } catch (err) {
      throw missingReference(err) ?? err;
    }
  });
}

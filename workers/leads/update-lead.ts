import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion, preconditionFailed } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { eventsFrom } from "../../db/outbox.ts";
import { writeBatch } from "../services.ts";
import { contacts, leads, leadSources } from "../../db/schema/crm.ts";
import { users } from "../../db/schema/tenants.ts";
import { tenantReference } from "../../db/tenant-reference.ts";
import { writeWithEvent } from "../../db/outbox.ts";
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
    200: { description: "Updated", headers: { ETag: { schema: { type: "string" } } }, content: { "application/json": { schema: LeadSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 412, 422),
  },
});

export function registerUpdateLead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const auth = c.get("auth");
    const expected = ifMatchVersion(c.req.header("if-match"));
    const invalid = companyRfcProblem(input.companyRfc);
    if (invalid) throw invalid;

    const { contactId, sourceId, ownerId, status: _status, score: _score, ...fields } = input;
    const set: PgUpdateSetSource<typeof leads> = { ...fields, version: sql`${leads.version} + 1`, updatedAt: sql`now()` };
    if (contactId !== undefined) set.contactId = contactId && tenantReference(contacts, contactId, auth.tenantId);
    if (sourceId !== undefined) set.sourceId = sourceId && tenantReference(leadSources, sourceId, auth.tenantId);
    if (ownerId !== undefined) set.ownerId = ownerId && tenantReference(users, ownerId, auth.tenantId);
    const mine = and(eq(leads.tenantId, auth.tenantId), eq(leads.id, id));

    try {
      const [event, rows] = await writeBatch(c, { resourcePath: `/v1/leads/${id}`, status: 200 }, (db) => [
        db.execute(
          writeWithEvent(db.update(leads).set(set).where(expected === undefined ? mine : and(mine, eq(leads.version, expected))).returning(), {
            type: "Lead.Updated",
            context: "leads",
            rowId: id,
            tenantId: auth.tenantId,
            userId: auth.userId,
            correlationId: c.get("requestId"),
          }),
        ),
        db.select().from(leads).where(mine),
      ]);
      const row = rows[0];
      if (!row) throw new AppError("NOT_FOUND", "lead not found");
      const events = eventsFrom(event);
      if (events.length === 0) throw preconditionFailed(row.version);
      publish(c, events);
      return c.json(toLead(row), 200, { etag: etagOf(row.version) });
    } catch (err) {
      throw missingReference(err) ?? err;
    }
  });
}

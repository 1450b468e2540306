import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Context } from "hono";
import { allowedLeadTransitions, canTransitionLead, LEAD_STATUSES, type LeadStatus } from "../../core/leads/lead-status.ts";
import type { EventType } from "../../core/events/cloudevents.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import type { Database } from "../../db/client.ts";
import { leads } from "../../db/schema/crm.ts";
import { writeWithEvent } from "../events/outbox.ts";

// Status moves (POST /v1/leads/{id}/contact|qualify|lose|convert), each ONE batch:
//   1. UPDATE leads … WHERE status IN (statuses allowed to move to the target) RETURNING *, with its
//      outbox row in the same statement (the event exists iff the lead moved);
//   2. SELECT the lead: moved → the response; absent → 404; present but not moved → 409 listing
//      the statuses it may move to.

export const TRANSITION_ERRORS = problemResponses(...AUTHENTICATED_ERRORS, 404, 409);

/** The statuses a lead may be in to move to `to` (core/leads/lead-status.ts holds the rule). */
export function sourcesOf(to: LeadStatus): LeadStatus[] {
  return LEAD_STATUSES.filter((from) => canTransitionLead(from, to));
}

export interface TransitionSpec {
  id: string;
  to: LeadStatus;
  event: EventType;
  /** Other columns the move sets (lost reason, conversion). */
  set?: PgUpdateSetSource<typeof leads>;
}

export function mineById(c: Context<HonoEnv>, id: string): SQL | undefined {
  return and(eq(leads.tenantId, c.get("auth").tenantId), eq(leads.id, id));
}

export function transitionStatement(db: Database, c: Context<HonoEnv>, spec: TransitionSpec): SQL {
  const auth = c.get("auth");
  const update = db
    .update(leads)
    .set({ ...spec.set, status: spec.to, version: sql`${leads.version} + 1`, updatedAt: sql`now()` })
    .where(and(mineById(c, spec.id), inArray(leads.status, sourcesOf(spec.to))))
    .returning();
  return writeWithEvent(update, { type: spec.event, context: "leads", rowId: spec.id, tenantId: auth.tenantId, userId: auth.userId, correlationId: c.get("requestId") });
}

/** No event: 404 when the lead is not there (or not yours), else 409 listing where it can go. */
export function refusedTransition(row: typeof leads.$inferSelect | undefined, to: LeadStatus): AppError {
  if (!row) return new AppError("NOT_FOUND", "lead not found");
  return new AppError("CONFLICT", `a ${row.status} lead cannot move to ${to}`, {
    extensions: { currentStatus: row.status, allowedTransitions: allowedLeadTransitions(row.status) },
  });
}

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
import { writeWithEvent, writtenByThisTransaction } from "../../db/outbox.ts";
import { findPgError } from "../http/error-handler.ts";

// Status moves (POST /v1/leads/{id}/contact|qualify|lose|convert), each ONE batch on the happy path:
//   1. UPDATE leads … WHERE status IN (statuses allowed to move to the target) RETURNING *, with its
//      outbox row in the same statement (the event exists iff the lead moved);
//   2. `app_assert` that this transaction wrote the lead: a refused move aborts the WHOLE batch, so
//      an Idempotency-Key claimed in it is not stored as a success (a retry is refused again);
//   3. SELECT the lead for the response.
// A refused move is still one round trip: the abort says the lead's status (404 or 409 from it).

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
export function refusedTransition(row: { status: LeadStatus } | undefined, to: LeadStatus): AppError {
  if (!row) return new AppError("NOT_FOUND", "lead not found");
  return new AppError("CONFLICT", `a ${row.status} lead cannot move to ${to}`, {
    extensions: { currentStatus: row.status, allowedTransitions: allowedLeadTransitions(row.status) },
  });
}

/** Prefix of the `app_assert` message that marks a refused move; the lead's status follows it. */
const MOVE_REFUSED = "lead transition refused: ";

/**
 * Aborts the batch unless the statement before it moved the lead. The abort's message carries the
 * lead's current status (empty when there is no such lead), so the 404/409 needs no second read.
 */
export function assertMoved(id: string): SQL {
  return sql`select app_assert(exists (select 1 from leads t where t.id = ${id}::uuid and ${writtenByThisTransaction}),
    ${MOVE_REFUSED} || coalesce((select status from leads where id = ${id}::uuid), ''))`;
}

/** Runs a move's batch (which must include `assertMoved`); a refused move becomes 404 or 409 with the statuses it can move to. */
export async function runMove<T>(id: string, to: LeadStatus, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const pg = findPgError(err);
    if (pg?.code !== "ZT409" || !pg.message.startsWith(MOVE_REFUSED)) throw err;
    const status = pg.message.slice(MOVE_REFUSED.length);
    if (!(LEAD_STATUSES as readonly string[]).includes(status)) throw new AppError("NOT_FOUND", "lead not found");
    throw refusedTransition({ status: status as LeadStatus }, to);
  }
}

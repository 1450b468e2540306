import {
  allowedLeadTransitions,
  canTransitionLead,
  isLeadStatus,
  LEAD_STATUSES,
  type LeadStatus,
} from "../../core/leads/lead-status.ts";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import type { Actor } from "../../db/actor.ts";
import { assertLeadMoved, moveLead, refusedMoveStatus, type LeadMove } from "../../db/leads/lead-store.ts";
import type { Statement } from "../../db/statement.ts";
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

export type TransitionSpec = Omit<LeadMove, "from">;

/** A move's batch starts with these: the guarded move (with its event) and the assert that aborts the batch if it was refused. */
export function moveStatements(
  actor: Actor,
  spec: TransitionSpec,
): readonly [Statement<CloudEvent[]>, Statement<number>] {
  return [moveLead(actor, { ...spec, from: sourcesOf(spec.to) }), assertLeadMoved(spec.id)] as const;
}

/** No event: 404 when the lead is not there (or not yours), else 409 listing where it can go. */
export function refusedTransition(row: { status: LeadStatus } | undefined, to: LeadStatus): AppError {
  if (!row) return new AppError("NOT_FOUND", "lead not found");
  return new AppError("CONFLICT", `a ${row.status} lead cannot move to ${to}`, {
    extensions: { currentStatus: row.status, allowedTransitions: allowedLeadTransitions(row.status) },
  });
}

/** Runs a move's batch (which must start with `moveStatements`); a refused move becomes 404 or 409 with the statuses it can move to. */
export async function runMove<T>(to: LeadStatus, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const pg = findPgError(err);
    const status = pg?.code === "ZT409" ? refusedMoveStatus(pg.message) : undefined;
    if (status === undefined) throw err;
    if (!isLeadStatus(status)) throw new AppError("NOT_FOUND", "lead not found");
    throw refusedTransition({ status }, to);
  }
}

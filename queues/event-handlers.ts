import { sql, type SQL } from "drizzle-orm";
import { isUuid, type CloudEvent } from "../core/events/cloudevents.ts";
import { isReferenceForm } from "../core/events/queue-batches.ts";
import { exec, type Statement } from "../db/statement.ts";

// In-process reactions to domain events, run by the events consumer inside the tenant's unit of
// work that marks the events delivered. Each must be idempotent by event id: the queue delivers at
// least once, and the outbox sweep may send an event again.

const STATUS_EVENTS: Record<string, { column: "lead_id" | "proposal_id" | "customer_id"; text: string }> = {
  "Lead.Contacted": { column: "lead_id", text: "Prospecto contactado" },
  "Lead.Qualified": { column: "lead_id", text: "Prospecto calificado" },
  "Lead.Converted": { column: "lead_id", text: "Prospecto convertido en cliente" },
  "Lead.Lost": { column: "lead_id", text: "Prospecto perdido" },
  "Proposal.Sent": { column: "proposal_id", text: "Propuesta enviada" },
  "Proposal.LinkRotated": { column: "proposal_id", text: "Enlace público renovado" },
  "Proposal.Viewed": { column: "proposal_id", text: "Propuesta vista por el cliente" },
  "Proposal.Accepted": { column: "proposal_id", text: "Propuesta aceptada" },
  "Proposal.Rejected": { column: "proposal_id", text: "Propuesta rechazada" },
  "Proposal.Expired": { column: "proposal_id", text: "Propuesta vencida" },
  "Customer.Created": { column: "customer_id", text: "Cliente creado" },
};

/**
 * The fields a reaction reads from `data`. An event sent in reference form (`dataref`, its data cut
 * to id and version: core/events/queue-batches.ts) has them re-read, in SQL, from its own outbox
 * row — the event as written, in the same database and tenant scope.
 */
function dataFields(event: CloudEvent): { detail: SQL; status: SQL } {
  if (isReferenceForm(event)) {
    const data = sql`(select event->'data' from outbox where id = ${event.id}::uuid)`;
    return {
      detail: sql`coalesce(${data}->>'lostReason', ${data}->>'rejectionReason')`,
      status: sql`coalesce(${data}->'status', 'null'::jsonb)`,
    };
  }
  const data = (event.data ?? {}) as Record<string, unknown>;
  const detail =
    typeof data.lostReason === "string"
      ? data.lostReason
      : typeof data.rejectionReason === "string"
        ? data.rejectionReason
        : null;
  return { detail: sql`${detail}::text`, status: sql`${JSON.stringify(data.status ?? null)}::jsonb` };
}

/** Status changes leave an activity on the record's timeline; the activity's id is the event's id. */
export function activityForStatusChange(event: CloudEvent): Statement<number> | undefined {
  const spec = STATUS_EVENTS[event.type];
  if (!spec || !event.subject || !isUuid(event.subject)) return undefined;
  const { detail, status } = dataFields(event);
  return exec(sql`insert into activities (id, tenant_id, type, ${sql.raw(spec.column)}, user_id, subject, body, occurred_at, metadata)
    select ${event.id}::uuid, ${event.tenantid}::uuid, 'status_change', ${event.subject}::uuid, ${event.userid && isUuid(event.userid) ? event.userid : null}::uuid,
           ${spec.text}, ${detail}, ${event.time}::timestamptz, jsonb_build_object('eventType', ${event.type}::text, 'status', ${status})
    where exists (select 1 from ${sql.raw(spec.column === "lead_id" ? "leads" : spec.column === "proposal_id" ? "proposals" : "customers")} where id = ${event.subject}::uuid)
    on conflict (id) do nothing`);
}

/** The statements reacting to `event`, for the batch that marks it delivered; each returns the rows it wrote. */
export function reactionsTo(event: CloudEvent): Statement<number>[] {
  const out: Statement<number>[] = [];
  const activity = activityForStatusChange(event);
  if (activity) out.push(activity);
  return out;
}

import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { pgTable, uuid, type PgTable } from "drizzle-orm/pg-core";
import { buildEvent, type CloudEvent, type EventType } from "../core/events/cloudevents.ts";
import { rows, type Statement } from "./statement.ts";

// Columns that are secrets (a public link's token hash, a WhatsApp channel's sealed credentials):
// never part of an event payload, whatever table the event is about.
const NEVER_PUBLISHED = sql.raw("array['public_token_hash', 'credentials_envelope']::text[]");

export interface OutboxEventSpec {
  type: EventType;
  /** Bounded context, for `source` (/tenants/{id}/{context}). */
  context: string;
  /** The table and id of the row the event is about; its state after the write is the payload. */
  table: PgTable;
  /** One row by id (the event id is fixed here), or every row matching `where` (one event each). */
  rowId?: string;
  where?: SQL;
  /** Required with rowId; with `where` each event takes its row's tenant. */
  tenantId?: string;
  userId?: string | undefined;
  correlationId?: string | undefined;
  causationId?: string | undefined;
}

/**
 * An INSERT INTO outbox for the unit of work's batch: the envelope is built here, the payload is
 * the row as the same transaction left it (`api_json`), so the event can never disagree with the
 * committed data. Returns the full event (`RETURNING event`) for the queue.
 */
export function outboxInsert(spec: OutboxEventSpec): SQL {
  const envelope = buildEvent({
    type: spec.type,
    // With `where`, tenant id and source are overwritten per row below.
    tenantId: spec.tenantId ?? "00000000-0000-0000-0000-000000000000",
    context: spec.context,
    subject: spec.rowId,
    data: null,
    ...(spec.userId ? { userId: spec.userId } : {}),
    ...(spec.correlationId ? { correlationId: spec.correlationId } : {}),
    ...(spec.causationId ? { causationId: spec.causationId } : {}),
  });
  if (spec.rowId) {
    if (!spec.tenantId) throw new Error("outboxInsert with rowId needs tenantId");
    return sql`insert into outbox (id, tenant_id, type, event)
      select ${envelope.id}::uuid, t.tenant_id, ${spec.type},
             ${JSON.stringify(envelope)}::jsonb || jsonb_build_object('data', api_json(to_jsonb(t) - ${NEVER_PUBLISHED}))
      from ${spec.table} t where t.id = ${spec.rowId}::uuid
      returning event`;
  }
  if (!spec.where) throw new Error("outboxInsert needs rowId or where");
  return sql`insert into outbox (id, tenant_id, type, event)
    select e.id, e.tenant_id, ${spec.type},
           ${JSON.stringify(envelope)}::jsonb || jsonb_build_object('id', e.id, 'subject', e.row_id, 'tenantid', e.tenant_id,
             'source', '/tenants/' || e.tenant_id || '/' || ${spec.context}::text, 'data', e.data)
    from (select gen_random_uuid() as id, t.tenant_id, t.id::text as row_id, api_json(to_jsonb(t) - ${NEVER_PUBLISHED}) as data
          from ${spec.table} t where ${spec.where}) e
    returning event`;
}

// Guarded writes (If-Match version, allowed status) that share a batch with their event must emit
// the event only when the guard passed: a 409/412 leaves no event. Two shapes:

/** Stands for the `changed` CTE below, so `outboxInsert` reads the rows the write just produced. */
const changed = pgTable("changed", { id: uuid("id") });

/**
 * `WITH changed AS (<write> RETURNING *) INSERT INTO outbox … FROM changed`: the event exists iff
 * the write changed a row, and its payload is the row as written.
 */
export function writeWithEvent(write: SQLWrapper, spec: Omit<OutboxEventSpec, "table">): SQL {
  // getSQL(): a query builder embedded as is would be parenthesised as a subquery.
  return sql`with changed as (${write.getSQL()}) ${outboxInsert({ ...spec, table: changed })}`;
}

/**
 * For an outbox INSERT … SELECT that follows the guarded write as its own statement: true only for
 * rows written by the current transaction.
 */
export const writtenByThisTransaction = sql`t.xmin = pg_current_xact_id()::xid`;

/** `outboxInsert` as a typed statement: the events it wrote (none when a guarded write changed nothing). */
export function outboxEvents(spec: OutboxEventSpec): Statement<CloudEvent[]> {
  return rows(outboxInsert(spec), (row) => row.event as CloudEvent);
}

/** `writeWithEvent` as a typed statement: the event, if the write changed a row. */
export function writeWithEventStatement(
  write: SQLWrapper,
  spec: Omit<OutboxEventSpec, "table">,
): Statement<CloudEvent[]> {
  return rows(writeWithEvent(write, spec), (row) => row.event as CloudEvent);
}

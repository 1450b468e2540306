import { sql, type SQL } from "drizzle-orm";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { BODY_RETENTION_MS, STATUS_PRECEDENCE } from "../../core/whatsapp/conversation-rules.ts";
import { MAX_PREVIEW_CHARS } from "../../core/whatsapp/searchable-text.ts";
import { writtenByThisTransaction } from "../outbox.ts";
import { outboxEventSizes } from "../outbox-store.ts";
import { contacts, leads } from "../schema/crm.ts";
import { exec, rows, type Statement } from "../statement.ts";

// The Postgres side of the WhatsApp mirror (durable-objects/conversation-mirror.ts pushes a
// ConversationDO's queued changes here). One push = one unit of work as crm_app under the
// conversation's tenant, so a page of changes lands entirely or not at all, and every statement is
// idempotent: the object re-pushes a page whose ack it never saw.
//
// Order inside the batch: first-sight contact and lead (they must run before the conversation row
// exists, which is how they know it is the first sight), the conversation row (messages reference
// it), messages, statuses, retention, preview, events.

/** The conversation as the object summarized it, in the mirror's terms. */
export interface MirrorConversation {
  id: string;
  tenantId: string;
  channelId: string;
  waId: string;
  /** E.164 when the wa_id is a phone number. */
  phone: string | null;
  profileName: string | null;
  status: string;
  /** A user id (uuid) or null; anything else is dropped (the column is a uuid). */
  assignedTo: string | null;
  tags: string[];
  unreadCount: number;
  messageCount: number;
  /** Milliseconds since the epoch. */
  lastMessageAt: number | null;
  lastInboundAt: number | null;
  lastReadAt: number | null;
  windowExpiresAt: number | null;
  /** The object's mirror sequence of this snapshot. */
  seq: number;
}

/** What a conversation's first push creates when the customer is new to the tenant. */
export interface FirstSight {
  /** Name-based ids: a re-push derives the same ones, so it can only find, never duplicate. */
  contactId: string;
  leadId: string;
  contactName: string;
  leadTitle: string;
  leadSourceName: string;
}

export interface MirrorMessage {
  providerMessageId: string;
  direction: "inbound" | "outbound";
  type: string;
  /** Searchable text; null for a purged body or a message without words. */
  text: string | null;
  status: string | null;
  errorCodes: string[];
  sentBy: string | null;
  messageAt: number;
}

export interface MirrorStatus {
  providerMessageId: string;
  status: string;
  errorCodes: string[];
  at: number;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function textArray(values: readonly string[]): SQL {
  return sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
}

/** core's precedence (sent < delivered < failed < read) as a number, so SQL keeps the higher status whatever the order. */
const PRECEDENCE = sql.raw(`array[${STATUS_PRECEDENCE.map((s) => `'${s}'`).join(", ")}]::text[]`);
function statusRank(status: SQL): SQL {
  return sql`coalesce(array_position(${PRECEDENCE}, ${status}), 0)`;
}

/** The incoming row's status is at least the stored one's: it and its error codes win. */
const incomingWins = sql`${statusRank(sql`excluded.status`)} >= ${statusRank(sql`w.status`)}`;

const retentionCutoff = sql`now() - ${BODY_RETENTION_MS} * interval '1 millisecond'`;

const notYetMirrored = (conversationId: string) =>
  sql`not exists (select 1 from whatsapp_conversations where id = ${conversationId}::uuid)`;

const createdHere = (contactId: string) =>
  sql`exists (select 1 from contacts t where t.id = ${contactId}::uuid and ${writtenByThisTransaction})`;

/**
 * On the conversation's first push only: a contact for the customer unless one of the tenant
 * already has the phone (the unique (tenant, phone) index also settles a race between two
 * conversations of one customer: the loser inserts nothing and links the winner's contact).
 */
export function insertFirstSightContact(c: MirrorConversation, f: FirstSight): Statement<number> {
  const phoneTaken = c.phone
    ? sql`exists (select 1 from contacts where tenant_id = ${c.tenantId}::uuid and phone = ${c.phone})`
    : sql`false`;
  return exec(sql`insert into contacts (id, tenant_id, first_name, phone)
    select ${f.contactId}::uuid, ${c.tenantId}::uuid, ${f.contactName}, ${c.phone}::text
    where ${notYetMirrored(c.id)} and not ${phoneTaken}
    on conflict do nothing`);
}

/** Contact.Created for the contact this batch created (none when it linked an existing one). */
export function firstSightContactEvent(f: FirstSight): Statement<{ id: string; bytes: number }[]> {
  return outboxEventSizes({
    type: "Contact.Created",
    context: "contacts",
    table: contacts,
    where: sql`t.id = ${f.contactId}::uuid and ${writtenByThisTransaction}`,
  });
}

/** The tenant's lead source for WhatsApp (by name, case-insensitive), created with the first lead that needs it. */
export function ensureLeadSource(c: MirrorConversation, f: FirstSight): Statement<number> {
  return exec(sql`insert into lead_sources (tenant_id, name)
    select ${c.tenantId}::uuid, ${f.leadSourceName}
    where ${createdHere(f.contactId)}
    on conflict do nothing`);
}

/** A lead for a customer new to the tenant: no owner, source WhatsApp, linked to the new contact. */
export function insertFirstSightLead(c: MirrorConversation, f: FirstSight): Statement<number> {
  return exec(sql`insert into leads (id, tenant_id, contact_id, source_id, owner_id, title)
    select ${f.leadId}::uuid, ${c.tenantId}::uuid, ${f.contactId}::uuid,
           (select id from lead_sources where tenant_id = ${c.tenantId}::uuid and lower(name) = lower(${f.leadSourceName}) limit 1),
           null, ${f.leadTitle}
    where ${createdHere(f.contactId)}
    on conflict do nothing`);
}

export function firstSightLeadEvent(f: FirstSight): Statement<{ id: string; bytes: number }[]> {
  return outboxEventSizes({
    type: "Lead.Created",
    context: "leads",
    table: leads,
    where: sql`t.id = ${f.leadId}::uuid and ${writtenByThisTransaction}`,
  });
}

/**
 * The conversation row: inserted on first sight (provider from the channel, the contact with the
 * customer's phone or the one just created, the lead just created), otherwise updated only by a
 * newer snapshot (`mirrored_seq`), so a page pushed late never rolls the row back. Contact and lead
 * links are set once: a contact deleted later stays unlinked rather than re-created.
 */
export function upsertConversation(c: MirrorConversation, f: FirstSight | null): Statement<number> {
  const byPhone = c.phone
    ? sql`(select id from contacts where tenant_id = ${c.tenantId}::uuid and phone = ${c.phone} limit 1)`
    : sql`null::uuid`;
  const contact = f ? sql`coalesce(${byPhone}, (select id from contacts where id = ${f.contactId}::uuid))` : byPhone;
  const lead = f ? sql`(select id from leads where id = ${f.leadId}::uuid)` : sql`null::uuid`;
  return exec(sql`insert into whatsapp_conversations as w (
      id, tenant_id, channel_id, wa_id, provider, phone, contact_id, lead_id, profile_name, status, assigned_to, tags,
      message_count, unread_count, last_message_at, last_inbound_at, last_read_at, window_expires_at, mirrored_seq)
    values (
      ${c.id}::uuid, ${c.tenantId}::uuid, ${c.channelId}::uuid, ${c.waId},
      (select provider from whatsapp_channels where id = ${c.channelId}::uuid), ${c.phone}::text,
      ${contact}, ${lead},
      ${c.profileName}::text, ${c.status}, ${c.assignedTo}::uuid, ${textArray(c.tags)},
      ${c.messageCount}, ${c.unreadCount}, ${iso(c.lastMessageAt)}::timestamptz, ${iso(c.lastInboundAt)}::timestamptz,
      ${iso(c.lastReadAt)}::timestamptz, ${iso(c.windowExpiresAt)}::timestamptz, ${c.seq})
    on conflict (id) do update set
      profile_name = excluded.profile_name, status = excluded.status, assigned_to = excluded.assigned_to,
      tags = excluded.tags, message_count = excluded.message_count, unread_count = excluded.unread_count,
      last_message_at = excluded.last_message_at, last_inbound_at = excluded.last_inbound_at,
      last_read_at = excluded.last_read_at, window_expires_at = excluded.window_expires_at,
      mirrored_seq = excluded.mirrored_seq, updated_at = now()
    where w.mirrored_seq < excluded.mirrored_seq`);
}

/**
 * Messages by (conversation, provider id): a repeat changes nothing, and a placeholder known only
 * from a status becomes the real message. A status already mirrored is kept if it ranks higher than
 * the one the message snapshot carries. Text past the retention cutoff is not stored.
 */
export function upsertMessages(
  tenantId: string,
  conversationId: string,
  messages: readonly MirrorMessage[],
): Statement<number> {
  const input = messages.map((m) => ({
    provider_message_id: m.providerMessageId,
    direction: m.direction,
    type: m.type,
    text: m.text,
    status: m.status,
    error_codes: m.errorCodes,
    sent_by: m.sentBy,
    message_at: iso(m.messageAt),
  }));
  return exec(sql`insert into whatsapp_messages as w
      (tenant_id, conversation_id, provider_message_id, direction, type, text, status, error_codes, sent_by, message_at)
    select ${tenantId}::uuid, ${conversationId}::uuid, m.provider_message_id, m.direction, m.type,
           case when m.message_at <= ${retentionCutoff} then null else m.text end,
           m.status, array(select jsonb_array_elements_text(m.error_codes)), m.sent_by, m.message_at
    from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as m(
      provider_message_id text, direction text, type text, text text, status text, error_codes jsonb, sent_by uuid, message_at timestamptz)
    on conflict (conversation_id, provider_message_id) do update set
      direction = excluded.direction, type = excluded.type, text = excluded.text, sent_by = excluded.sent_by,
      message_at = excluded.message_at,
      status = case when ${incomingWins} then excluded.status else w.status end,
      error_codes = case when ${incomingWins} then excluded.error_codes else w.error_codes end,
      updated_at = now()`);
}

/**
 * Status changes: onto the message, or a placeholder (outbound, no type) when the message is not
 * mirrored yet, so a lookup by provider id finds it. The higher status wins whatever the order.
 * At most one entry per message (ON CONFLICT may touch a row once per statement).
 */
export function applyStatuses(
  tenantId: string,
  conversationId: string,
  statuses: readonly MirrorStatus[],
): Statement<number> {
  const input = statuses.map((s) => ({
    provider_message_id: s.providerMessageId,
    status: s.status,
    error_codes: s.errorCodes,
    status_at: iso(s.at),
  }));
  return exec(sql`insert into whatsapp_messages as w
      (tenant_id, conversation_id, provider_message_id, direction, type, status, error_codes, status_at)
    select ${tenantId}::uuid, ${conversationId}::uuid, s.provider_message_id, 'outbound', null, s.status,
           array(select jsonb_array_elements_text(s.error_codes)), s.status_at
    from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as s(
      provider_message_id text, status text, error_codes jsonb, status_at timestamptz)
    on conflict (conversation_id, provider_message_id) do update set
      status = case when ${incomingWins} then excluded.status else w.status end,
      error_codes = case when ${incomingWins} then excluded.error_codes else w.error_codes end,
      status_at = case when ${incomingWins} then excluded.status_at else w.status_at end,
      updated_at = now()`);
}

/** The object blanks bodies after BODY_RETENTION_MS; the mirror's searchable text follows. */
export function blankExpiredTexts(conversationId: string): Statement<number> {
  return exec(sql`update whatsapp_messages set text = null, updated_at = now()
    where conversation_id = ${conversationId}::uuid and text is not null and message_at <= ${retentionCutoff}`);
}

/** The inbox line: the newest message's text (null when it has none). */
export function refreshPreview(conversationId: string): Statement<number> {
  return exec(sql`update whatsapp_conversations set last_message_preview = (
      select left(text, ${MAX_PREVIEW_CHARS}) from whatsapp_messages
      where conversation_id = ${conversationId}::uuid and message_at is not null
      order by message_at desc, created_at desc limit 1)
    where id = ${conversationId}::uuid`);
}

/**
 * The object's CloudEvents into the outbox. Their ids are name-based, so a re-pushed event is not
 * inserted twice; only the newly inserted ones come back, to be sent to the queue after commit.
 */
export function insertConversationEvents(
  tenantId: string,
  events: readonly CloudEvent[],
): Statement<{ id: string; bytes: number }[]> {
  return rows(
    sql`insert into outbox (id, tenant_id, type, event)
      select (e->>'id')::uuid, ${tenantId}::uuid, e->>'type', e from jsonb_array_elements(${JSON.stringify(events)}::jsonb) e
      on conflict (id) do nothing
      returning id, octet_length(event::text) as bytes`,
    (row) => ({ id: String(row.id), bytes: Number(row.bytes) }),
  );
}

/** One push's statements, and how to read the outbox rows it inserted from their results. */
export interface MirrorPushBatch {
  statements: [Statement<unknown>, ...Statement<unknown>[]];
  /** The outbox rows this push inserted (to relay after commit), from `statements`' results. */
  insertedEvents: (results: readonly unknown[]) => { id: string; bytes: number }[];
}

/**
 * The statements of one push, in batch order (see the top of this file), and only those it needs:
 * every statement costs the database a round of work, and under load the pushes of many
 * conversations compete with the webhooks for it. First-sight statements only while the
 * conversation's ConversationStarted event is still unacknowledged (it rides in the object's first
 * page, and stays there until a push carrying it commits), retention only after the object blanked
 * bodies, the preview only when messages or texts changed.
 */
export function mirrorPush(input: {
  conversation: MirrorConversation;
  firstSight: FirstSight | null;
  messages: readonly MirrorMessage[];
  statuses: readonly MirrorStatus[];
  events: readonly CloudEvent[];
  bodiesPurged: boolean;
}): MirrorPushBatch {
  const { conversation: c, firstSight: f } = input;
  const statements: Statement<unknown>[] = [];
  const relaying: number[] = [];
  const add = (statement: Statement<unknown>, relays = false) => {
    if (relays) relaying.push(statements.length);
    statements.push(statement);
  };
  if (f) {
    add(insertFirstSightContact(c, f));
    add(firstSightContactEvent(f), true);
    add(ensureLeadSource(c, f));
    add(insertFirstSightLead(c, f));
    add(firstSightLeadEvent(f), true);
  }
  add(upsertConversation(c, f));
  if (input.messages.length > 0) add(upsertMessages(c.tenantId, c.id, input.messages));
  if (input.statuses.length > 0) add(applyStatuses(c.tenantId, c.id, input.statuses));
  if (input.bodiesPurged) add(blankExpiredTexts(c.id));
  if (input.messages.length > 0 || input.bodiesPurged) add(refreshPreview(c.id));
  if (input.events.length > 0) add(insertConversationEvents(c.tenantId, input.events), true);
  return {
    // Never empty: the conversation row is in every push.
    statements: statements as [Statement<unknown>, ...Statement<unknown>[]],
    insertedEvents: (results) => relaying.flatMap((at) => results[at] as { id: string; bytes: number }[]),
  };
}

/** After the object blanked bodies with nothing else to push. */
export function mirrorRetention(conversationId: string) {
  return [blankExpiredTexts(conversationId), refreshPreview(conversationId)] as const;
}

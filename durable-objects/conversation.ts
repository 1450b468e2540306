// ConversationDO: one per WhatsApp channel and customer (`idFromName("{channelId}:{waId}")`,
// conversation-client.ts). It holds the conversation's messages, their delivery statuses and the
// inbox state (status, assignee, tags, read mark), and queues every change for the Postgres mirror.
//
// Durability: a provider gets its 200 only after `ingest` returns, and then never redelivers, so
// each RPC does all of its reads, decisions and SQLite writes in ONE synchronous block
// (ctx.storage.transactionSync): the runtime delivers no other call in between (no await), the
// writes commit together, and the output gate holds the answer until they are durable. The only
// await — deriving event ids (Web Crypto is async) — happens before that block and reads no state.
//
// Ordering: webhooks arrive at least once and in any order (core/whatsapp/conversation-rules.ts),
// so messages are keyed by provider message id (a redelivery stores nothing and queues nothing),
// statuses are kept as a set with their earliest timestamp, and a status for a message not seen
// yet waits in pending_statuses until that message arrives (a send's status webhook can beat the
// send's own API response).
//
// Memory: no call loads the conversation; each reads the rows it answers with through an index
// (messages by id, by time, by direction and time; statuses by message id).
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../platform/env.ts";
import type {
  ContactProfile,
  DeliveryStatus,
  InboundMessage,
  MessageType,
  ProviderError,
  StatusUpdate,
} from "../core/whatsapp/events.ts";
import {
  BODY_RETENTION_MS,
  ConversationError,
  errorCodesOf,
  foldStatus,
  isConversationStatus,
  isDeliveryStatus,
  MAX_PAGE_SIZE,
  normalizeTags,
  decodeCursor,
  encodeCursor,
  statusAfterInbound,
  STATUS_PRECEDENCE,
  unreadCutoff,
  windowExpiresAt,
  type ConversationStatus,
  type Direction,
  type StatusHistory,
} from "../core/whatsapp/conversation-rules.ts";
import { MAX_ID_CHARS } from "../core/whatsapp/limits.ts";
import { buildEvent, isUuid, type CloudEvent } from "../core/events/cloudevents.ts";
import { uuidV5 } from "../core/events/name-based-id.ts";
import { conversationUuid } from "../core/whatsapp/conversation-id.ts";
import { pushMirror } from "./conversation-mirror.ts";

// ---- contract -----------------------------------------------------------------------------------

export interface ConversationIdentity {
  tenantId: string;
  channelId: string;
  /** The customer's wa_id (digits, no "+"). */
  waId: string;
}

export interface IngestBatch extends ConversationIdentity {
  profile?: ContactProfile;
  messages: InboundMessage[];
  statuses: StatusUpdate[];
}

export interface IngestResult {
  /** This call created the conversation (its first ingest). */
  conversationStarted: boolean;
  messagesStored: number;
  /** Messages already stored, and statuses already known with an earlier or equal timestamp. */
  duplicates: number;
  /** Statuses recorded against a stored message (its status may or may not have moved). */
  statusesApplied: number;
  /** Statuses recorded for a message id not seen yet; applied when that message arrives. */
  statusesPending: number;
}

export interface OutboundMessageInput {
  providerMessageId: string;
  type: "text" | "template" | "document";
  /** The customer's wa_id; must be this conversation's. */
  to: string;
  text?: string;
  template?: { name: string; language: string; parameters: string[] };
  media?: { url?: string; filename?: string; mimeType?: string };
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** The user (or system actor) that sent it. */
  sentBy: string;
}

/** What a customer's message said: everything the parser produced except the envelope fields. */
export type InboundContent = Omit<
  InboundMessage,
  "phoneNumberId" | "providerMessageId" | "from" | "timestamp" | "type"
>;
export type OutboundContent = Pick<OutboundMessageInput, "text" | "template" | "media">;

interface StoredMessageBase {
  providerMessageId: string;
  timestamp: number;
  /** Folded delivery status (outbound); null when no status is known. */
  status: DeliveryStatus | null;
  /** Provider error codes: of the failed status (outbound), of the message itself (inbound). */
  errorCodes: string[];
  /** The body was blanked after BODY_RETENTION_MS; content is then null. */
  purged: boolean;
}

export type StoredMessage =
  | (StoredMessageBase & { direction: "inbound"; type: MessageType; content: InboundContent | null; sentBy: null })
  | (StoredMessageBase & {
      direction: "outbound";
      type: OutboundMessageInput["type"];
      content: OutboundContent | null;
      sentBy: string;
    });

export type MessageLookup =
  | { message: StoredMessage & { statusHistory: StatusHistory } }
  | { pendingStatuses: StatusHistory; errorCodes: string[] };

export interface MessagePage {
  /** Newest first (by provider timestamp, then arrival). */
  messages: StoredMessage[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface ConversationSummary extends ConversationIdentity {
  /** core/whatsapp/conversation-id.ts: UUIDv5 of "{channelId}:{waId}", the id in events, the mirror and the API. */
  conversationId: string;
  profileName: string | null;
  status: ConversationStatus;
  assignedTo: string | null;
  tags: string[];
  unreadCount: number;
  messageCount: number;
  lastMessageAt: number | null;
  lastInboundAt: number | null;
  /** Last outbound message, or the earliest status of one known only from statuses. */
  lastOutboundAt: number | null;
  lastReadAt: number | null;
  /** End of the 24-hour customer-service window; null when the customer never wrote. */
  windowExpiresAt: number | null;
  createdAt: number;
}

export interface StatusChange {
  providerMessageId: string;
  status: DeliveryStatus;
  previousStatus: DeliveryStatus | null;
  /** Timestamp of the status event that moved it. */
  at: number;
  errorCodes: string[];
  statusHistory: StatusHistory;
}

export interface ConversationRef {
  conversationId: string;
  channelId: string;
  waId: string;
}

export type ConversationStartedData = ConversationRef & { profileName: string | null; startedAt: number };
export type MessageEventData = ConversationRef & { message: StoredMessage };
export type StatusEventData = ConversationRef & StatusChange;

export type ConversationEvent =
  CloudEvent<ConversationStartedData> | CloudEvent<MessageEventData> | CloudEvent<StatusEventData>;

export type MirrorRow = { seq: number; createdAt: number } & (
  | { kind: "conversation"; payload: ConversationSummary }
  | { kind: "message"; payload: StoredMessage }
  | { kind: "status"; payload: StatusChange }
  | { kind: "event"; payload: ConversationEvent }
);
export type MirrorKind = MirrorRow["kind"];

/**
 * core/events/cloudevents.ts EVENT_TYPES is closed and names the status event
 * "WhatsApp.MessageStatusChanged" (NATS subject whatsapp.message_status_changed.{tenant}).
 */
export const CONVERSATION_EVENT_TYPES = {
  started: "WhatsApp.ConversationStarted",
  received: "WhatsApp.MessageReceived",
  sent: "WhatsApp.MessageSent",
  status: "WhatsApp.MessageStatusChanged",
} as const;

/** UUIDv5 namespace of conversation event ids: uuidV5(ns, "{objectId}/{kind}[/{messageId}[/{status}]]"). */
export const CONVERSATION_EVENT_NAMESPACE = "4f1d2c7e-8b6a-5e3f-9a41-6c2b0d7e9f13";

/** Bodies blanked per alarm run: bounds one run's write; the alarm re-runs at once while more are due. */
const PURGE_BATCH = 500;
/** How long a change waits for others to share its mirror push (see finish()). */
export const MIRROR_COALESCE_MS = 1_000;
const DEFAULT_PAGE_SIZE = 50;
const OUTBOUND_TYPES: ReadonlySet<string> = new Set(["text", "template", "document"]);

// ---- storage ------------------------------------------------------------------------------------

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS conversation (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     conversation_id TEXT NOT NULL,
     tenant_id TEXT NOT NULL,
     channel_id TEXT NOT NULL,
     wa_id TEXT NOT NULL,
     profile_name TEXT,
     status TEXT NOT NULL,
     assigned_to TEXT,
     tags TEXT NOT NULL,
     last_read_at INTEGER,
     last_read_by TEXT,
     message_count INTEGER NOT NULL,
     last_message_at INTEGER,
     last_inbound_at INTEGER,
     last_outbound_at INTEGER,
     created_at INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS messages (
     seq INTEGER PRIMARY KEY,
     provider_message_id TEXT NOT NULL UNIQUE,
     direction TEXT NOT NULL,
     type TEXT NOT NULL,
     timestamp INTEGER NOT NULL,
     content TEXT,
     sent_by TEXT,
     status TEXT,
     error_codes TEXT NOT NULL,
     stored_at INTEGER NOT NULL,
     purged_at INTEGER
   )`,
  `CREATE INDEX IF NOT EXISTS messages_by_time ON messages (timestamp, seq)`,
  `CREATE INDEX IF NOT EXISTS messages_by_direction ON messages (direction, timestamp)`,
  `CREATE INDEX IF NOT EXISTS messages_with_content ON messages (timestamp) WHERE content IS NOT NULL`,
  // One row per (message, status): the set of statuses received, each with its earliest timestamp.
  // pending_statuses: the same, for message ids not stored yet.
  ...["statuses", "pending_statuses"].map(
    (table) => `CREATE TABLE IF NOT EXISTS ${table} (
     provider_message_id TEXT NOT NULL,
     status TEXT NOT NULL,
     at INTEGER NOT NULL,
     provider_status TEXT NOT NULL,
     errors TEXT NOT NULL,
     PRIMARY KEY (provider_message_id, status)
   ) WITHOUT ROWID`,
  ),
  // AUTOINCREMENT: a seq is never reused after an ack emptied the table, so a late or repeated
  // ackMirror(n) cannot delete rows queued after it.
  `CREATE TABLE IF NOT EXISTS mirror_outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_at INTEGER NOT NULL
   )`,
];

type ConversationRow = {
  conversation_id: string;
  tenant_id: string;
  channel_id: string;
  wa_id: string;
  profile_name: string | null;
  status: string;
  assigned_to: string | null;
  tags: string;
  last_read_at: number | null;
  message_count: number;
  last_message_at: number | null;
  last_inbound_at: number | null;
  last_outbound_at: number | null;
  created_at: number;
};

type MessageRow = {
  seq: number;
  provider_message_id: string;
  direction: string;
  type: string;
  timestamp: number;
  content: string | null;
  sent_by: string | null;
  status: string | null;
  error_codes: string;
};

type StatusRow = { status: string; at: number; errors: string };

const MESSAGE_COLUMNS = "seq, provider_message_id, direction, type, timestamp, content, sent_by, status, error_codes";

/** Event ids derived before the synchronous block, by name (see CONVERSATION_EVENT_NAMESPACE). */
type EventIds = ReadonlyMap<string, string>;

/** What one call changed, gathered while it writes and queued at its end. */
interface ChangeLog {
  rows: { kind: MirrorKind; payload: unknown }[];
  /** Earliest timestamp of a body stored by this call: the retention alarm must run by then + retention. */
  earliestBody: number | null;
}

export class ConversationDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly objectId: string;
  /** The scheduled alarm as this instance last set or read it (null: none). */
  private alarmAt: number | null = null;
  /** The last mirror push failed and its retry is scheduled (in memory: an evicted object retries at once). */
  private mirrorBackingOff = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.objectId = ctx.id.toString();
    for (const statement of SCHEMA) this.sql.exec(statement);
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- RPC: deliveries --------------------------------------------------------------------------

  /**
   * Stores a webhook delivery's messages and statuses for this conversation, durably, before it
   * returns. The first call fixes the conversation's tenant, channel and customer; a call naming
   * others is refused (identity_mismatch) without writing anything. An empty batch only opens the
   * conversation (e.g. before a first outbound template).
   */
  async ingest(batch: IngestBatch): Promise<IngestResult> {
    validateIdentity(batch);
    if (!Array.isArray(batch.messages) || !Array.isArray(batch.statuses))
      throw new ConversationError("invalid_input", "messages and statuses must be arrays");
    for (const m of batch.messages) {
      validateId(m.providerMessageId, "providerMessageId");
      validateTimestamp(m.timestamp, "message timestamp");
      if (m.from !== batch.waId)
        throw new ConversationError("identity_mismatch", "a message from another customer than the batch's waId");
    }
    for (const s of batch.statuses) {
      validateId(s.providerMessageId, "providerMessageId");
      validateTimestamp(s.timestamp, "status timestamp");
      if (!isDeliveryStatus(s.status))
        throw new ConversationError("invalid_input", `unknown status ${String(s.status)}`);
      if (s.recipientId !== batch.waId)
        throw new ConversationError("identity_mismatch", "a status for another customer than the batch's waId");
    }
    if (batch.profile && batch.profile.waId !== batch.waId)
      throw new ConversationError("identity_mismatch", "a profile of another customer than the batch's waId");

    const ids = await this.eventIds([
      "ConversationStarted",
      ...batch.messages.flatMap((m) => [
        `MessageReceived/${m.providerMessageId}`,
        ...statusNames(m.providerMessageId, STATUS_PRECEDENCE),
      ]),
      ...batch.statuses.map((s) => statusName(s.providerMessageId, s.status)),
    ]);

    const conversationId = await conversationUuid(batch.channelId, batch.waId);
    const now = Date.now();
    const log: ChangeLog = { rows: [], earliestBody: null };
    const result = this.ctx.storage.transactionSync((): IngestResult => {
      const before = this.readSummary();
      let started = false;
      if (before === null) {
        this.sql.exec(
          `INSERT INTO conversation (id, conversation_id, tenant_id, channel_id, wa_id, profile_name, status, tags, message_count, created_at)
           VALUES (1, ?, ?, ?, ?, ?, 'open', '[]', 0, ?)`,
          conversationId,
          batch.tenantId,
          batch.channelId,
          batch.waId,
          batch.profile?.name ?? null,
          now,
        );
        started = true;
      } else {
        assertSameIdentity(before, batch);
        // The name a delivery carries is the customer's name when its messages were sent: a late
        // redelivery (providers retry for days) must not put back a name changed since.
        const newestInBatch = Math.max(...batch.messages.map((m) => m.timestamp));
        const current = before.lastInboundAt === null || newestInBatch >= before.lastInboundAt;
        if (batch.profile?.name !== undefined && batch.profile.name !== before.profileName && current)
          this.sql.exec("UPDATE conversation SET profile_name = ? WHERE id = 1", batch.profile.name);
      }
      const identity: Identity = {
        conversationId,
        tenantId: batch.tenantId,
        channelId: batch.channelId,
        waId: batch.waId,
      };
      if (started) {
        const data: ConversationStartedData = {
          ...this.ref(identity),
          profileName: batch.profile?.name ?? null,
          startedAt: now,
        };
        log.rows.push({
          kind: "event",
          payload: this.event(identity, ids, "ConversationStarted", CONVERSATION_EVENT_TYPES.started, data, now, {
            subject: conversationId,
          }),
        });
      }

      let messagesStored = 0;
      let newestStored: number | null = null;
      let duplicates = 0;
      let touchedOutbound = false;
      for (const m of batch.messages) {
        const { phoneNumberId: _p, providerMessageId, from: _f, timestamp, type, ...content } = m;
        const inserted = this.insertMessage({
          providerMessageId,
          direction: "inbound",
          type,
          timestamp,
          content: JSON.stringify(content),
          sentBy: null,
          errorCodes: errorCodesOf(m.errors ?? []),
          now,
        });
        if (!inserted) {
          duplicates++;
          continue;
        }
        messagesStored++;
        newestStored = Math.max(newestStored ?? timestamp, timestamp);
        this.sql.exec(
          `UPDATE conversation SET message_count = message_count + 1,
             last_message_at = max(coalesce(last_message_at, ?1), ?1),
             last_inbound_at = max(coalesce(last_inbound_at, ?1), ?1)
           WHERE id = 1`,
          timestamp,
        );
        log.earliestBody = Math.min(log.earliestBody ?? timestamp, timestamp);
        const change = this.adoptPending(providerMessageId);
        if (change.hadPending) touchedOutbound = true;
        const stored = this.readMessage(providerMessageId)!;
        log.rows.push({ kind: "message", payload: stored });
        log.rows.push({
          kind: "event",
          payload: this.event(
            identity,
            ids,
            `MessageReceived/${providerMessageId}`,
            CONVERSATION_EVENT_TYPES.received,
            { ...this.ref(identity), message: stored },
            timestamp,
            { subject: providerMessageId },
          ),
        });
        if (change.change) this.logStatusChange(log, identity, ids, change.change);
      }

      // A new customer message reopens a closed conversation (a new one is open already). New means
      // newer than every message seen before: an old one delivered late does not reopen it.
      const reopened = before ? statusAfterInbound(before.status) : "open";
      if (before && reopened !== before.status && newestStored !== null) {
        if (before.lastInboundAt === null || newestStored > before.lastInboundAt)
          this.sql.exec("UPDATE conversation SET status = ? WHERE id = 1", reopened);
      }

      let statusesApplied = 0;
      let statusesPending = 0;
      for (const s of batch.statuses) {
        const known = this.sql
          .exec<{ n: number }>("SELECT count(*) AS n FROM messages WHERE provider_message_id = ?", s.providerMessageId)
          .one().n;
        if (known === 0) {
          if (this.recordStatusRow("pending_statuses", s)) {
            statusesPending++;
            touchedOutbound = true;
            // The mirror learns of the message too (a placeholder row), so the inbox can find it
            // by id before, or without, its send being recorded here.
            const pending = this.history("pending_statuses", s.providerMessageId);
            const status = foldStatus(pending.history);
            if (status)
              log.rows.push({
                kind: "status",
                payload: {
                  providerMessageId: s.providerMessageId,
                  status,
                  previousStatus: null,
                  at: pending.history[status]!,
                  errorCodes: pending.errorCodes,
                  statusHistory: pending.history,
                },
              });
          } else duplicates++;
          continue;
        }
        if (!this.recordStatusRow("statuses", s)) {
          duplicates++;
          continue;
        }
        statusesApplied++;
        const change = this.refold(s.providerMessageId);
        if (change) this.logStatusChange(log, identity, ids, change);
      }
      if (touchedOutbound) this.recomputeLastOutbound();

      this.finish(log, before, now);
      return { conversationStarted: started, messagesStored, duplicates, statusesApplied, statusesPending };
    });
    this.scheduleRetention(log.earliestBody);
    return result;
  }

  /**
   * Records a message this business sent (after the provider accepted it), applying any statuses
   * that arrived before it. Idempotent by provider message id: a repeat returns the stored message.
   */
  async recordOutbound(msg: OutboundMessageInput): Promise<StoredMessage> {
    validateId(msg.providerMessageId, "providerMessageId");
    validateTimestamp(msg.timestamp, "timestamp");
    if (!OUTBOUND_TYPES.has(msg.type))
      throw new ConversationError("invalid_input", `unknown outbound type ${String(msg.type)}`);
    validateId(msg.sentBy, "sentBy");
    const ids = await this.eventIds([
      `MessageSent/${msg.providerMessageId}`,
      ...statusNames(msg.providerMessageId, STATUS_PRECEDENCE),
    ]);
    const now = Date.now();
    const log: ChangeLog = { rows: [], earliestBody: null };
    const stored = this.ctx.storage.transactionSync((): StoredMessage => {
      const before = this.requireSummary();
      if (msg.to !== before.waId)
        throw new ConversationError("identity_mismatch", "`to` is not this conversation's customer");
      const content: OutboundContent = {
        ...(msg.text === undefined ? {} : { text: msg.text }),
        ...(msg.template === undefined ? {} : { template: msg.template }),
        ...(msg.media === undefined ? {} : { media: msg.media }),
      };
      const inserted = this.insertMessage({
        providerMessageId: msg.providerMessageId,
        direction: "outbound",
        type: msg.type,
        timestamp: msg.timestamp,
        content: JSON.stringify(content),
        sentBy: msg.sentBy,
        errorCodes: [],
        now,
      });
      if (!inserted) return this.readMessage(msg.providerMessageId)!;
      this.sql.exec(
        `UPDATE conversation SET message_count = message_count + 1,
           last_message_at = max(coalesce(last_message_at, ?1), ?1)
         WHERE id = 1`,
        msg.timestamp,
      );
      log.earliestBody = msg.timestamp;
      const change = this.adoptPending(msg.providerMessageId);
      this.recomputeLastOutbound();
      const message = this.readMessage(msg.providerMessageId)!;
      const identity = identityOf(before);
      log.rows.push({ kind: "message", payload: message });
      log.rows.push({
        kind: "event",
        payload: this.event(
          identity,
          ids,
          `MessageSent/${msg.providerMessageId}`,
          CONVERSATION_EVENT_TYPES.sent,
          { ...this.ref(identity), message },
          msg.timestamp,
          { subject: msg.providerMessageId, userId: msg.sentBy },
        ),
      });
      if (change.change) this.logStatusChange(log, identity, ids, change.change);
      this.finish(log, before, now);
      return message;
    });
    this.scheduleRetention(log.earliestBody);
    return stored;
  }

  // ---- RPC: inbox state -------------------------------------------------------------------------

  /** Everything up to `at` counts as read (a read mark never moves back). */
  async markRead(input: { at: number; userId: string }): Promise<ConversationSummary> {
    validateTimestamp(input.at, "at");
    validateId(input.userId, "userId");
    return this.update((current) => {
      if (current.lastReadAt !== null && current.lastReadAt >= input.at) return;
      this.sql.exec("UPDATE conversation SET last_read_at = ?, last_read_by = ? WHERE id = 1", input.at, input.userId);
    });
  }

  async assign(input: { userId: string | null }): Promise<ConversationSummary> {
    if (input.userId !== null) validateId(input.userId, "userId");
    return this.update(() => {
      this.sql.exec("UPDATE conversation SET assigned_to = ? WHERE id = 1", input.userId);
    });
  }

  /** open / pending / closed as the agents set it; a new inbound message reopens a closed one. */
  async setStatus(status: ConversationStatus): Promise<ConversationSummary> {
    if (!isConversationStatus(status)) throw new ConversationError("invalid_input", `unknown status ${String(status)}`);
    return this.update(() => {
      this.sql.exec("UPDATE conversation SET status = ? WHERE id = 1", status);
    });
  }

  /** Replaces the tags (normalizeTags: at most 20, 40 chars each, trimmed, deduplicated). */
  async setTags(tags: string[]): Promise<ConversationSummary> {
    const normalized = normalizeTags(tags);
    return this.update(() => {
      this.sql.exec("UPDATE conversation SET tags = ? WHERE id = 1", JSON.stringify(normalized));
    });
  }

  // ---- RPC: reads -------------------------------------------------------------------------------

  async summary(): Promise<ConversationSummary | null> {
    return this.readSummary();
  }

  /** Newest first; `before` is the previous page's nextCursor. */
  async listMessages(input: { before?: string; limit?: number } = {}): Promise<MessagePage> {
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
      throw new ConversationError("invalid_input", `limit must be 1..${MAX_PAGE_SIZE}`);
    const cursor = input.before === undefined ? undefined : decodeCursor(input.before);
    const rows = cursor
      ? this.sql
          .exec<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE (timestamp, seq) < (?, ?)
             ORDER BY timestamp DESC, seq DESC LIMIT ?`,
            cursor.timestamp,
            cursor.seq,
            limit + 1,
          )
          .toArray()
      : this.sql
          .exec<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM messages ORDER BY timestamp DESC, seq DESC LIMIT ?`,
            limit + 1,
          )
          .toArray();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      messages: page.map(messageFromRow),
      nextCursor: rows.length > limit && last ? encodeCursor({ timestamp: last.timestamp, seq: last.seq }) : null,
    };
  }

  async getMessage(providerMessageId: string): Promise<MessageLookup | null> {
    const message = this.readMessage(providerMessageId);
    if (message) return { message: { ...message, statusHistory: this.history("statuses", providerMessageId).history } };
    const pending = this.history("pending_statuses", providerMessageId);
    if (Object.keys(pending.history).length === 0) return null;
    return { pendingStatuses: pending.history, errorCodes: pending.errorCodes };
  }

  // ---- RPC: Postgres mirror ---------------------------------------------------------------------

  /** Queued changes in the order they happened, oldest first. */
  async pendingMirror(limit: number): Promise<MirrorRow[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
      throw new ConversationError("invalid_input", "limit must be 1..1000");
    return this.sql
      .exec<{ seq: number; kind: string; payload: string; created_at: number }>(
        "SELECT seq, kind, payload, created_at FROM mirror_outbox ORDER BY seq LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, kind: r.kind, payload: JSON.parse(r.payload), createdAt: r.created_at }) as MirrorRow);
  }

  /** Drops queued changes up to and including `throughSeq`; returns how many were dropped. */
  async ackMirror(throughSeq: number): Promise<number> {
    if (!Number.isSafeInteger(throughSeq))
      throw new ConversationError("invalid_input", "throughSeq must be an integer");
    return this.sql.exec("DELETE FROM mirror_outbox WHERE seq <= ?", throughSeq).rowsWritten;
  }

  // ---- alarm ------------------------------------------------------------------------------------

  /**
   * Each duty does its work and says when it next needs to run (null: nothing left); the alarm is
   * set for the earliest. The mirror push (conversation-mirror.ts) never throws: a failed push
   * answers with its back-off time, so the schedule survives a database outage.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    const retention = this.purgeExpiredBodies(now);
    const mirror = await pushMirror({
      source: this,
      state: this.ctx.storage,
      env: this.env,
      waitUntil: (p) => this.ctx.waitUntil(p),
      bodiesPurged: retention.purged > 0,
    });
    this.mirrorBackingOff = mirror !== null && mirror > Date.now();
    const next = [retention.next, mirror];
    const due = next.reduce<number | null>((a, b) => (b === null ? a : a === null ? b : Math.min(a, b)), null);
    if (due !== null) this.setAlarmBy(due);
  }

  /** Blanks bodies older than BODY_RETENTION_MS; ids, type, direction, times, statuses stay. */
  private purgeExpiredBodies(now: number): { next: number | null; purged: number } {
    const cutoff = now - BODY_RETENTION_MS;
    const purged = this.sql.exec(
      `UPDATE messages SET content = NULL, purged_at = ?
       WHERE seq IN (SELECT seq FROM messages WHERE content IS NOT NULL AND timestamp <= ? ORDER BY timestamp LIMIT ?)`,
      now,
      cutoff,
      PURGE_BATCH,
    ).rowsWritten;
    const oldest = this.sql
      .exec<{ t: number | null }>("SELECT min(timestamp) AS t FROM messages WHERE content IS NOT NULL")
      .one().t;
    return { next: oldest === null ? null : Math.max(now, oldest + BODY_RETENTION_MS), purged };
  }

  private scheduleRetention(earliestBody: number | null): void {
    if (earliestBody !== null) this.setAlarmBy(earliestBody + BODY_RETENTION_MS);
  }

  /** Makes sure the alarm fires no later than `at` (never postpones an earlier one). */
  private setAlarmBy(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    // Not awaited: the output gate holds the call's answer until the alarm is stored.
    void this.ctx.storage.setAlarm(at);
  }

  // ---- internals --------------------------------------------------------------------------------

  private async eventIds(names: string[]): Promise<EventIds> {
    const unique = [...new Set(names)];
    const ids = await Promise.all(unique.map((n) => uuidV5(CONVERSATION_EVENT_NAMESPACE, `${this.objectId}/${n}`)));
    return new Map(unique.map((n, i) => [n, ids[i]!]));
  }

  private event<D>(
    identity: Identity,
    ids: EventIds,
    name: string,
    type: (typeof CONVERSATION_EVENT_TYPES)[keyof typeof CONVERSATION_EVENT_TYPES],
    data: D,
    at: number,
    extra: { subject: string; userId?: string },
  ): CloudEvent<D> {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`event id for ${name} was not derived`);
    return buildEvent({
      type,
      tenantId: identity.tenantId,
      context: "whatsapp",
      subject: extra.subject,
      data,
      id,
      time: new Date(at),
      userId: extra.userId,
    });
  }

  private ref(identity: Identity): ConversationRef {
    return { conversationId: identity.conversationId, channelId: identity.channelId, waId: identity.waId };
  }

  private logStatusChange(log: ChangeLog, identity: Identity, ids: EventIds, change: StatusChange): void {
    log.rows.push({ kind: "status", payload: change });
    log.rows.push({
      kind: "event",
      payload: this.event(
        identity,
        ids,
        statusName(change.providerMessageId, change.status),
        CONVERSATION_EVENT_TYPES.status,
        { ...this.ref(identity), ...change },
        change.at,
        { subject: change.providerMessageId },
      ),
    });
  }

  /** Queues the call's rows, then the conversation row when the summary moved. */
  /** Queues what changed for the mirror; returns the summary as the call leaves it. */
  private finish(log: ChangeLog, before: ConversationSummary | null, now: number): ConversationSummary | null {
    const after = this.readSummary();
    if (after && JSON.stringify(after) !== JSON.stringify(before))
      log.rows.push({ kind: "conversation", payload: after });
    for (const row of log.rows)
      this.sql.exec(
        "INSERT INTO mirror_outbox (kind, payload, created_at) VALUES (?, ?, ?)",
        row.kind,
        JSON.stringify(row.payload),
        now,
      );
    // The mirror push runs shortly, unless a failed push is waiting out its back-off (it will carry
    // these rows too). Shortly, not at once: the changes of the next MIRROR_COALESCE_MS travel in
    // the same push (one Postgres batch), instead of one push per webhook.
    if (log.rows.length > 0 && !this.mirrorBackingOff) this.setAlarmBy(now + MIRROR_COALESCE_MS);
    return after;
  }

  /** An inbox-state change: refused before the first ingest; queues the conversation row if it moved. */
  private update(change: (current: ConversationSummary) => void): ConversationSummary {
    return this.ctx.storage.transactionSync(() => {
      const before = this.requireSummary();
      change(before);
      return this.finish({ rows: [], earliestBody: null }, before, Date.now())!;
    });
  }

  private insertMessage(m: {
    providerMessageId: string;
    direction: Direction;
    type: string;
    timestamp: number;
    content: string;
    sentBy: string | null;
    errorCodes: string[];
    now: number;
  }): boolean {
    return (
      this.sql
        .exec(
          `INSERT INTO messages (provider_message_id, direction, type, timestamp, content, sent_by, status, error_codes, stored_at)
           VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)
           ON CONFLICT (provider_message_id) DO NOTHING
           RETURNING seq`,
          m.providerMessageId,
          m.direction,
          m.type,
          m.timestamp,
          m.content,
          m.sentBy,
          JSON.stringify(m.errorCodes),
          m.now,
        )
        .toArray().length > 0
    );
  }

  /** Adds a status event to the set; false when it adds nothing (known with an earlier or equal time). */
  private recordStatusRow(table: "statuses" | "pending_statuses", s: StatusUpdate): boolean {
    return (
      this.sql
        .exec(
          `INSERT INTO ${table} (provider_message_id, status, at, provider_status, errors) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (provider_message_id, status) DO UPDATE SET
             at = excluded.at, provider_status = excluded.provider_status, errors = excluded.errors
           WHERE excluded.at < ${table}.at
           RETURNING at`,
          s.providerMessageId,
          s.status,
          s.timestamp,
          s.providerStatus ?? s.status,
          JSON.stringify(s.errors ?? []),
        )
        .toArray().length > 0
    );
  }

  /** Moves a newly stored message's pending statuses onto it. */
  private adoptPending(providerMessageId: string): { hadPending: boolean; change: StatusChange | null } {
    const moved = this.sql.exec(
      `INSERT INTO statuses (provider_message_id, status, at, provider_status, errors)
       SELECT provider_message_id, status, at, provider_status, errors FROM pending_statuses WHERE provider_message_id = ?`,
      providerMessageId,
    ).rowsWritten;
    if (moved === 0) return { hadPending: false, change: null };
    this.sql.exec("DELETE FROM pending_statuses WHERE provider_message_id = ?", providerMessageId);
    return { hadPending: true, change: this.refold(providerMessageId) };
  }

  /**
   * Re-derives a message's status from its status set; returns the change when it moved, dated by
   * the deciding status's earliest timestamp (the same whichever event happened to move it).
   */
  private refold(providerMessageId: string): StatusChange | null {
    const { history, errorCodes } = this.history("statuses", providerMessageId);
    const status = foldStatus(history);
    const row = this.sql
      .exec<{ status: string | null }>("SELECT status FROM messages WHERE provider_message_id = ?", providerMessageId)
      .one();
    const previous = isDeliveryStatus(row.status) ? row.status : null;
    if (status === null || status === previous) {
      if (status !== null)
        this.sql.exec(
          "UPDATE messages SET error_codes = ? WHERE provider_message_id = ?",
          JSON.stringify(errorCodes),
          providerMessageId,
        );
      return null;
    }
    this.sql.exec(
      "UPDATE messages SET status = ?, error_codes = ? WHERE provider_message_id = ?",
      status,
      JSON.stringify(errorCodes),
      providerMessageId,
    );
    return {
      providerMessageId,
      status,
      previousStatus: previous,
      at: history[status]!,
      errorCodes,
      statusHistory: history,
    };
  }

  private history(
    table: "statuses" | "pending_statuses",
    providerMessageId: string,
  ): { history: StatusHistory; errorCodes: string[] } {
    const history: StatusHistory = {};
    let errorCodes: string[] = [];
    for (const r of this.sql.exec<StatusRow>(
      `SELECT status, at, errors FROM ${table} WHERE provider_message_id = ?`,
      providerMessageId,
    )) {
      if (!isDeliveryStatus(r.status)) continue;
      history[r.status] = r.at;
      if (r.status === "failed") errorCodes = errorCodesOf(JSON.parse(r.errors) as ProviderError[]);
    }
    return { history, errorCodes };
  }

  /**
   * The last outbound message's time, counting messages known only from statuses at their earliest
   * status (core outboundAt). Recomputed rather than kept as a running max: a status can arrive
   * before its message and carry a later time, and the result must not depend on that order.
   */
  private recomputeLastOutbound(): void {
    this.sql.exec(
      `UPDATE conversation SET last_outbound_at = (
         SELECT max(t) FROM (
           SELECT max(timestamp) AS t FROM messages WHERE direction = 'outbound'
           UNION ALL
           SELECT max(first_at) FROM (SELECT min(at) AS first_at FROM pending_statuses GROUP BY provider_message_id)
         )
       ) WHERE id = 1`,
    );
  }

  private readMessage(providerMessageId: string): StoredMessage | null {
    const row = this.sql
      .exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE provider_message_id = ?`, providerMessageId)
      .toArray()[0];
    return row ? messageFromRow(row) : null;
  }

  private requireSummary(): ConversationSummary {
    const s = this.readSummary();
    if (!s) throw new ConversationError("not_found", "no ingest has opened this conversation");
    return s;
  }

  private readSummary(): ConversationSummary | null {
    const row = this.sql
      .exec<ConversationRow>(
        `SELECT conversation_id, tenant_id, channel_id, wa_id, profile_name, status, assigned_to, tags, last_read_at, message_count,
                last_message_at, last_inbound_at, last_outbound_at, created_at
         FROM conversation WHERE id = 1`,
      )
      .toArray()[0];
    if (!row) return null;
    const cutoff = unreadCutoff(row.last_read_at, row.last_outbound_at);
    const unread = this.sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM messages WHERE direction = 'inbound' AND timestamp > ?",
        cutoff ?? -1,
      )
      .one().n;
    return {
      tenantId: row.tenant_id,
      channelId: row.channel_id,
      waId: row.wa_id,
      conversationId: row.conversation_id,
      profileName: row.profile_name,
      status: isConversationStatus(row.status) ? row.status : "open",
      assignedTo: row.assigned_to,
      tags: JSON.parse(row.tags) as string[],
      unreadCount: unread,
      messageCount: row.message_count,
      lastMessageAt: row.last_message_at,
      lastInboundAt: row.last_inbound_at,
      lastOutboundAt: row.last_outbound_at,
      lastReadAt: row.last_read_at,
      windowExpiresAt: windowExpiresAt(row.last_inbound_at),
      createdAt: row.created_at,
    };
  }
}

// ---- helpers ------------------------------------------------------------------------------------

type Identity = ConversationIdentity & { conversationId: string };

function identityOf(s: ConversationSummary): Identity {
  return { conversationId: s.conversationId, tenantId: s.tenantId, channelId: s.channelId, waId: s.waId };
}

function statusName(providerMessageId: string, status: DeliveryStatus): string {
  return `MessageStatusChanged/${providerMessageId}/${status}`;
}

function statusNames(providerMessageId: string, statuses: readonly DeliveryStatus[]): string[] {
  return statuses.map((s) => statusName(providerMessageId, s));
}

function assertSameIdentity(current: ConversationSummary, call: ConversationIdentity): void {
  if (current.tenantId !== call.tenantId || current.channelId !== call.channelId || current.waId !== call.waId)
    throw new ConversationError(
      "identity_mismatch",
      "this conversation belongs to another tenant, channel or customer",
    );
}

function validateIdentity(identity: ConversationIdentity): void {
  if (!isUuid(identity.tenantId)) throw new ConversationError("invalid_input", "tenantId must be a UUID");
  validateId(identity.channelId, "channelId");
  validateId(identity.waId, "waId");
}

function validateId(value: unknown, what: string): void {
  if (typeof value !== "string" || value === "" || value.length > MAX_ID_CHARS)
    throw new ConversationError("invalid_input", `${what} must be a non-empty string of at most ${MAX_ID_CHARS} chars`);
}

function validateTimestamp(value: unknown, what: string): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new ConversationError("invalid_input", `${what} must be milliseconds since the epoch`);
}

function messageFromRow(row: MessageRow): StoredMessage {
  const base: StoredMessageBase = {
    providerMessageId: row.provider_message_id,
    timestamp: row.timestamp,
    status: isDeliveryStatus(row.status) ? row.status : null,
    errorCodes: JSON.parse(row.error_codes) as string[],
    purged: row.content === null,
  };
  if (row.direction === "outbound")
    return {
      ...base,
      direction: "outbound",
      type: row.type as OutboundMessageInput["type"],
      content: row.content === null ? null : (JSON.parse(row.content) as OutboundContent),
      sentBy: row.sent_by ?? "",
    };
  return {
    ...base,
    direction: "inbound",
    type: row.type as MessageType,
    content: row.content === null ? null : (JSON.parse(row.content) as InboundContent),
    sentBy: null,
  };
}

// The ConversationDO's mirror duty: pushes the object's queued changes (`mirror_outbox`) to
// Postgres, the inbox's listing copy. The object is the truth; the mirror is eventually consistent
// and never loses a change: a page is acknowledged (and dropped from the object) only after the
// unit of work that wrote it committed, and every write is idempotent, so a push that failed — or
// committed but was never acknowledged — is simply pushed again.
//
// Failures retry forever with exponential back-off (1 s, 2 s, 4 s … at most 5 min): Postgres may be
// down for hours and the object keeps every change meanwhile. The failure count is kept in the
// object's storage, so an object evicted between retries resumes its back-off instead of
// hammering a database that is down.
import type { CloudEvent } from "../core/events/cloudevents.ts";
import { isUuid } from "../core/events/cloudevents.ts";
import { uuidV5 } from "../core/events/name-based-id.ts";
import { Logger } from "../core/logging/logger.ts";
import { canonicalWaId } from "../core/whatsapp/conversation-batches.ts";
import { statusRank } from "../core/whatsapp/conversation-rules.ts";
import { cut, searchableText, type SearchableContent } from "../core/whatsapp/searchable-text.ts";
import {
  mirrorPush,
  mirrorRetention,
  type FirstSight,
  type MirrorConversation,
  type MirrorMessage,
  type MirrorStatus,
} from "../db/whatsapp/conversation-mirror-store.ts";
import { loadConfig, type Env } from "../platform/env.ts";
import { createLogger } from "../platform/logger.ts";
import { relayOutboxRows } from "../platform/outbox-relay.ts";
import { tenantWork, type WaitUntil } from "../platform/work.ts";
import type { ConversationSummary, MirrorRow, StoredMessage } from "./conversation.ts";

/** Rows per push: one unit of work stays small; a longer backlog is pushed page after page at once. */
export const MIRROR_PAGE_ROWS = 200;
export const MIRROR_RETRY_MIN_MS = 1_000;
export const MIRROR_RETRY_MAX_MS = 5 * 60_000;
/** Storage key of the consecutive failures (ctx.storage KV, beside the object's SQL tables). */
export const MIRROR_FAILURES_KEY = "mirror:failures";
/** The lead source of customers who first wrote on WhatsApp (lead_sources.name, per tenant). */
export const WHATSAPP_LEAD_SOURCE = "WhatsApp";
/** UUIDv5 namespace of the contact and lead a conversation's first push may create. */
export const FIRST_SIGHT_NAMESPACE = "b8e3f0a4-6d2c-5a9e-8f17-3c4d5e6f7a81";
const MAX_NAME_CHARS = 120;

/** What the push needs from the object (ConversationDO implements it). */
export interface MirrorSource {
  pendingMirror(limit: number): Promise<MirrorRow[]>;
  ackMirror(throughSeq: number): Promise<number>;
  summary(): Promise<ConversationSummary | null>;
}

export interface MirrorState {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export interface MirrorDuty {
  source: MirrorSource;
  state: MirrorState;
  env: Env;
  waitUntil: WaitUntil;
  /** The object blanked bodies in this alarm: the mirror's text must follow even with nothing queued. */
  bodiesPurged?: boolean;
  now?: () => number;
  logger?: Logger;
}

/** Wait after the n-th consecutive failure (n ≥ 1). */
export function mirrorRetryDelay(failures: number): number {
  return Math.min(MIRROR_RETRY_MAX_MS, MIRROR_RETRY_MIN_MS * 2 ** Math.min(Math.max(failures - 1, 0), 20));
}

/**
 * One push; returns when the duty next needs to run: null (nothing left), now (rows are still
 * queued: a full page was pushed, or changes arrived meanwhile), or the back-off time after a
 * failure. Never throws.
 */
export async function pushMirror(duty: MirrorDuty): Promise<number | null> {
  const now = duty.now ?? Date.now;
  let rows: MirrorRow[] = [];
  let summary: ConversationSummary | null = null;
  let logger = duty.logger;
  try {
    rows = await duty.source.pendingMirror(MIRROR_PAGE_ROWS);
    if (rows.length === 0 && !duty.bodiesPurged) return null;
    summary = await duty.source.summary();
    if (!summary) return null;
    const config = loadConfig(duty.env);
    logger ??= createLogger(config, "crm-conversation", { tenantId: summary.tenantId });
    const work = tenantWork(config, summary.tenantId, undefined, duty.waitUntil);
    const last = rows[rows.length - 1];
    if (!last) {
      await work.run(mirrorRetention(summary.conversationId));
      return null;
    }
    const push = mirrorPush({
      ...(await pushInput(summary, rows, last.seq)),
      bodiesPurged: duty.bodiesPurged === true,
    });
    const inserted = push.insertedEvents(await work.run(push.statements));
    await duty.source.ackMirror(last.seq);
    await duty.state.delete(MIRROR_FAILURES_KEY);
    // After commit; never throws. What the queue refuses stays in the outbox for the sweep.
    await relayOutboxRows(duty.env, config, logger, inserted, duty.waitUntil);
    // Changes made while this push was out (a webhook during a retry's await, when no alarm was
    // set for them) must not wait for the conversation's next change: look, don't guess by page size.
    return (await duty.source.pendingMirror(1)).length > 0 ? now() : null;
  } catch (err) {
    return failed(duty, rows, summary, logger, now(), err);
  }
}

async function failed(
  duty: MirrorDuty,
  rows: MirrorRow[],
  summary: ConversationSummary | null,
  logger: Logger | undefined,
  at: number,
  err: unknown,
): Promise<number> {
  let failures = 1;
  try {
    failures = ((await duty.state.get<number>(MIRROR_FAILURES_KEY)) ?? 0) + 1;
    await duty.state.put(MIRROR_FAILURES_KEY, failures);
  } catch {
    // The count only shapes the back-off; the retry is scheduled either way.
  }
  const delay = mirrorRetryDelay(failures);
  const oldest = rows[0];
  const data = {
    conversationId: summary?.conversationId ?? null,
    tenantId: summary?.tenantId ?? null,
    pendingRows: rows.length,
    oldestPendingSeq: oldest?.seq ?? null,
    /** How far the mirror is behind the object: the age of the oldest change not yet in Postgres. */
    lagMs: oldest ? at - oldest.createdAt : 0,
    failures,
    retryInMs: delay,
  };
  const log = logger ?? fallbackLogger(duty.env);
  log.warn("whatsapp mirror push failed; changes kept in the object, retrying", data, err);
  return at + delay;
}

function fallbackLogger(env: Env): Logger {
  try {
    return createLogger(loadConfig(env), "crm-conversation");
  } catch {
    // An invalid configuration is itself the failure being logged: log it at the default level.
    return new Logger({ service: "crm-conversation", environment: env.ENVIRONMENT ?? "unknown" });
  }
}

// ---- object rows → mirror rows ------------------------------------------------------------------

async function pushInput(summary: ConversationSummary, rows: MirrorRow[], lastSeq: number) {
  // The newest snapshot of the page; without one (a page cut inside a burst of changes) the
  // object's current summary, which is at least as new as every row of the page.
  let snapshot: { summary: ConversationSummary; seq: number } = { summary, seq: lastSeq };
  const messages = new Map<string, MirrorMessage>();
  const statuses = new Map<string, MirrorStatus & { rank: number }>();
  const events: CloudEvent[] = [];
  let newest = -1;
  for (const row of rows) {
    switch (row.kind) {
      case "conversation":
        if (row.seq > newest) {
          newest = row.seq;
          snapshot = { summary: row.payload, seq: row.seq };
        }
        break;
      case "message":
        messages.set(row.payload.providerMessageId, mirrorMessage(row.payload));
        break;
      case "status": {
        const s = row.payload;
        const known = statuses.get(s.providerMessageId);
        if (!known || statusRank(s.status) >= known.rank)
          statuses.set(s.providerMessageId, {
            providerMessageId: s.providerMessageId,
            status: s.status,
            errorCodes: s.errorCodes,
            at: s.at,
            rank: statusRank(s.status),
          });
        break;
      }
      case "event":
        events.push(row.payload);
        break;
    }
  }
  const conversation = mirrorConversation(snapshot.summary, snapshot.seq);
  return {
    conversation,
    // Until the push that carries ConversationStarted commits, this may be the customer's first sight.
    firstSight: events.some((e) => e.type === "WhatsApp.ConversationStarted") ? await firstSight(conversation) : null,
    messages: [...messages.values()],
    statuses: [...statuses.values()].map(({ rank: _rank, ...s }) => s),
    events,
  };
}

function mirrorConversation(s: ConversationSummary, seq: number): MirrorConversation {
  return {
    id: s.conversationId,
    tenantId: s.tenantId,
    channelId: s.channelId,
    waId: s.waId,
    phone: canonicalWaId(s.waId).phone,
    profileName: s.profileName,
    status: s.status,
    // The column is a uuid and a push must never be refused: a non-user assignee is not mirrored.
    assignedTo: isUuid(s.assignedTo) ? s.assignedTo : null,
    tags: s.tags,
    unreadCount: s.unreadCount,
    messageCount: s.messageCount,
    lastMessageAt: s.lastMessageAt,
    lastInboundAt: s.lastInboundAt,
    lastReadAt: s.lastReadAt,
    windowExpiresAt: s.windowExpiresAt,
    seq,
  };
}

export function mirrorMessage(m: StoredMessage): MirrorMessage {
  return {
    providerMessageId: m.providerMessageId,
    direction: m.direction,
    type: m.type,
    text: m.purged ? null : searchableText(m.content as SearchableContent | null),
    status: m.status,
    errorCodes: m.errorCodes,
    sentBy: m.direction === "outbound" && isUuid(m.sentBy) ? m.sentBy : null,
    messageAt: m.timestamp,
  };
}

async function firstSight(c: MirrorConversation): Promise<FirstSight> {
  const [contactId, leadId] = await Promise.all([
    uuidV5(FIRST_SIGHT_NAMESPACE, `contact/${c.id}`),
    uuidV5(FIRST_SIGHT_NAMESPACE, `lead/${c.id}`),
  ]);
  const name = cut(c.profileName?.trim() || c.phone || c.waId, MAX_NAME_CHARS);
  return {
    contactId,
    leadId,
    contactName: name,
    leadTitle: cut(`WhatsApp: ${name}`, 200),
    leadSourceName: WHATSAPP_LEAD_SOURCE,
  };
}

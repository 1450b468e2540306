// The rules of one WhatsApp conversation (a business channel and one customer wa_id), free of any
// runtime: how delivery statuses fold into a message's status, what counts as unread, when the
// customer-service window closes, what a tag may be. durable-objects/conversation.ts keeps the
// state in SQLite and applies these rules incrementally; foldConversation states the same rules
// over everything received at once, and the tests hold the object to it.
//
// Webhooks arrive at least once and in any order (Meta retries for up to 7 days, and a status can
// beat the response of the send it reports on), so every derived value here is a function of the
// SET of facts received — never of their order or their count.
import { DELIVERY_STATUSES, type DeliveryStatus, type ProviderError, type StatusUpdate } from "./events.ts";

/** Meta: a business may send free-form messages for 24 h after the customer's last message. */
export const SERVICE_WINDOW_MS = 24 * 3_600_000;
/** Message bodies are kept 90 days (DESIGN.md storage map: whatsapp_messages); metadata stays. */
export const BODY_RETENTION_MS = 90 * 24 * 3_600_000;
export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 40;
export const MAX_PAGE_SIZE = 100;

/** Closed sets: also CHECK constraints of migration 0009 (db/closed-sets.test.ts). */
export const CONVERSATION_STATUSES = ["open", "pending", "closed"] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export const DIRECTIONS = ["inbound", "outbound"] as const;
export type Direction = (typeof DIRECTIONS)[number];

export function isConversationStatus(value: unknown): value is ConversationStatus {
  return typeof value === "string" && (CONVERSATION_STATUSES as readonly string[]).includes(value);
}

// ---- errors -------------------------------------------------------------------------------------

export type ConversationErrorCode =
  /** The object belongs to another tenant, channel or customer than the call says. */
  | "identity_mismatch"
  /** Nothing has opened this conversation yet (no ingest). */
  | "not_found"
  | "invalid_input"
  | "invalid_tags"
  | "invalid_cursor";

const ERROR_CODES: ReadonlySet<string> = new Set<ConversationErrorCode>([
  "identity_mismatch",
  "not_found",
  "invalid_input",
  "invalid_tags",
  "invalid_cursor",
]);

/**
 * Thrown by the conversation's rules and its Durable Object. An error crossing a Workers RPC
 * boundary arrives as a plain Error with the same message, so the code also leads the message
 * ("invalid_tags: …"); callers read it back with conversationErrorCode.
 */
export class ConversationError extends Error {
  override name = "ConversationError";
  readonly code: ConversationErrorCode;

  constructor(code: ConversationErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.code = code;
  }
}

/** The code of a ConversationError, also after it crossed an RPC boundary; undefined for anything else. */
export function conversationErrorCode(error: unknown): ConversationErrorCode | undefined {
  if (error instanceof ConversationError) return error.code;
  if (!(error instanceof Error)) return undefined;
  const code = /^([a-z_]+): /.exec(error.message)?.[1];
  return code !== undefined && ERROR_CODES.has(code) ? (code as ConversationErrorCode) : undefined;
}

// ---- delivery statuses --------------------------------------------------------------------------

/**
 * A message's status is the highest of the statuses received, in this precedence:
 * sent < delivered < failed < read.
 * - failed is terminal over sent and delivered (a delivered message can still fail, e.g. a
 *   template rejected after delivery by the client; a late "delivered" must not hide it);
 * - read stays read: Meta never fails a message the customer has read, so a failed after read is
 *   treated as noise and the message shows read (its error codes are still kept).
 */
export const STATUS_PRECEDENCE: readonly DeliveryStatus[] = ["sent", "delivered", "failed", "read"];

export function statusRank(status: DeliveryStatus): number {
  return STATUS_PRECEDENCE.indexOf(status);
}

/** The earliest timestamp received for each status: what `statusHistory` reports. */
export type StatusHistory = Partial<Record<DeliveryStatus, number>>;

export function isDeliveryStatus(value: unknown): value is DeliveryStatus {
  return typeof value === "string" && (DELIVERY_STATUSES as readonly string[]).includes(value);
}

/** Keeps the earliest timestamp per status, so the result is the same in any arrival order. */
export function recordStatus(history: StatusHistory, status: DeliveryStatus, at: number): StatusHistory {
  const known = history[status];
  return known !== undefined && known <= at ? history : { ...history, [status]: at };
}

export function foldStatus(history: StatusHistory): DeliveryStatus | null {
  for (let i = STATUS_PRECEDENCE.length - 1; i >= 0; i--) {
    const status = STATUS_PRECEDENCE[i]!;
    if (history[status] !== undefined) return status;
  }
  return null;
}

/** Provider error codes as strings (Meta sends numbers, Twilio strings), distinct and sorted. */
export function errorCodesOf(errors: readonly ProviderError[]): string[] {
  return [...new Set(errors.map((e) => String(e.code)))].sort();
}

// ---- unread and the service window --------------------------------------------------------------

/**
 * When an outbound message counts as sent for unread purposes: its own timestamp, or — when it is
 * known only from status webhooks (sent from the provider's app, or its status beat our record of
 * the send) — the earliest status timestamp received for it.
 */
export function outboundAt(messageTimestamp: number | undefined, history: StatusHistory): number | null {
  if (messageTimestamp !== undefined) return messageTimestamp;
  const times = Object.values(history);
  return times.length === 0 ? null : Math.min(...times);
}

/**
 * Inbound messages strictly newer than this are unread: an agent's read mark, or a reply (an agent
 * who answered has seen what came before it), whichever is later. null: everything is unread.
 */
export function unreadCutoff(lastReadAt: number | null, lastOutboundAt: number | null): number | null {
  if (lastReadAt === null) return lastOutboundAt;
  if (lastOutboundAt === null) return lastReadAt;
  return Math.max(lastReadAt, lastOutboundAt);
}

export function countUnread(inboundTimestamps: Iterable<number>, cutoff: number | null): number {
  let n = 0;
  for (const t of inboundTimestamps) if (cutoff === null || t > cutoff) n++;
  return n;
}

/** Free-form replies are allowed until this instant; null when the customer never wrote. */
export function windowExpiresAt(lastInboundAt: number | null): number | null {
  return lastInboundAt === null ? null : lastInboundAt + SERVICE_WINDOW_MS;
}

/**
 * A new inbound message reopens a closed conversation (the customer is talking again); "pending"
 * and "open" are left as the agents set them.
 */
export function statusAfterInbound(status: ConversationStatus): ConversationStatus {
  return status === "closed" ? "open" : status;
}

// ---- tags ---------------------------------------------------------------------------------------

/** Trimmed, NFC-normalized, deduplicated (first spelling kept, order kept); anything else is refused. */
export function normalizeTags(input: unknown): string[] {
  if (!Array.isArray(input)) throw new ConversationError("invalid_tags", "tags must be an array of strings");
  const out: string[] = [];
  for (const raw of input) {
    if (typeof raw !== "string") throw new ConversationError("invalid_tags", "every tag must be a string");
    const tag = raw.normalize("NFC").trim();
    if (tag === "") throw new ConversationError("invalid_tags", "a tag may not be empty");
    if (tag.length > MAX_TAG_CHARS)
      throw new ConversationError("invalid_tags", `a tag has at most ${MAX_TAG_CHARS} characters`);
    if (/[\u0000-\u001f\u007f]/.test(tag))
      throw new ConversationError("invalid_tags", "a tag may not contain control characters");
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > MAX_TAGS) throw new ConversationError("invalid_tags", `at most ${MAX_TAGS} tags`);
  return out;
}

// ---- message list cursor ------------------------------------------------------------------------

/** A position in the newest-first message list: the last row's timestamp and storage sequence. */
export interface MessageCursor {
  timestamp: number;
  seq: number;
}

/** Wire form "{timestamp}.{seq}", both non-negative decimal integers (opaque to API clients). */
export function encodeCursor(cursor: MessageCursor): string {
  return `${cursor.timestamp}.${cursor.seq}`;
}

export function decodeCursor(text: string): MessageCursor {
  const m = /^(0|[1-9][0-9]{0,15})\.([1-9][0-9]{0,15})$/.exec(text);
  const timestamp = Number(m?.[1]);
  const seq = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(timestamp) || !Number.isSafeInteger(seq))
    throw new ConversationError("invalid_cursor", "not a message cursor");
  return { timestamp, seq };
}

// ---- the rules over everything at once ----------------------------------------------------------

/** What a conversation can be told, reduced to what its derived state depends on. */
export type ConversationFact =
  | { kind: "message"; providerMessageId: string; direction: Direction; timestamp: number }
  | { kind: "status"; update: Pick<StatusUpdate, "providerMessageId" | "status" | "timestamp" | "errors"> }
  | { kind: "read"; at: number };

export interface FoldedMessage {
  providerMessageId: string;
  direction: Direction;
  timestamp: number;
  status: DeliveryStatus | null;
  statusHistory: StatusHistory;
}

export interface FoldedConversation {
  /** Oldest first; equal timestamps by id (storage order is arrival order, which the set does not have). */
  messages: FoldedMessage[];
  /** Statuses for message ids never seen as messages, by id. */
  pendingStatuses: Record<string, StatusHistory>;
  messageCount: number;
  unreadCount: number;
  lastMessageAt: number | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  windowExpiresAt: number | null;
}

/** The conversation's derived state from the set of facts received (first copy of a message id wins). */
export function foldConversation(facts: Iterable<ConversationFact>): FoldedConversation {
  const messages = new Map<string, { direction: Direction; timestamp: number }>();
  const histories = new Map<string, StatusHistory>();
  let lastReadAt: number | null = null;
  for (const fact of facts) {
    if (fact.kind === "message") {
      if (!messages.has(fact.providerMessageId))
        messages.set(fact.providerMessageId, { direction: fact.direction, timestamp: fact.timestamp });
    } else if (fact.kind === "status") {
      const u = fact.update;
      histories.set(u.providerMessageId, recordStatus(histories.get(u.providerMessageId) ?? {}, u.status, u.timestamp));
    } else {
      lastReadAt = lastReadAt === null ? fact.at : Math.max(lastReadAt, fact.at);
    }
  }
  const folded: FoldedMessage[] = [];
  let lastInboundAt: number | null = null;
  let lastOutboundAt: number | null = null;
  let lastMessageAt: number | null = null;
  const max = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));
  for (const [id, m] of messages) {
    const history = histories.get(id) ?? {};
    folded.push({
      providerMessageId: id,
      direction: m.direction,
      timestamp: m.timestamp,
      status: foldStatus(history),
      statusHistory: history,
    });
    lastMessageAt = max(lastMessageAt, m.timestamp);
    if (m.direction === "inbound") lastInboundAt = max(lastInboundAt, m.timestamp);
    else lastOutboundAt = max(lastOutboundAt, m.timestamp);
  }
  const pendingStatuses: Record<string, StatusHistory> = {};
  for (const [id, history] of [...histories].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (messages.has(id)) continue;
    pendingStatuses[id] = history;
    const at = outboundAt(undefined, history);
    if (at !== null) lastOutboundAt = max(lastOutboundAt, at);
  }
  folded.sort((a, b) => a.timestamp - b.timestamp || (a.providerMessageId < b.providerMessageId ? -1 : 1));
  const cutoff = unreadCutoff(lastReadAt, lastOutboundAt);
  return {
    messages: folded,
    pendingStatuses,
    messageCount: folded.length,
    unreadCount: countUnread(
      folded.filter((m) => m.direction === "inbound").map((m) => m.timestamp),
      cutoff,
    ),
    lastMessageAt,
    lastInboundAt,
    lastOutboundAt,
    windowExpiresAt: windowExpiresAt(lastInboundAt),
  };
}

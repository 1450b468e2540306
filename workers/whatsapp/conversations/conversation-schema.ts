import { z } from "@hono/zod-openapi";
import {
  CONVERSATION_STATUSES,
  conversationErrorCode,
  type StatusHistory,
} from "../../../core/whatsapp/conversation-rules.ts";
import { DELIVERY_STATUSES } from "../../../core/whatsapp/events.ts";
import { searchableText, type SearchableContent } from "../../../core/whatsapp/searchable-text.ts";
import type { ConversationRef, ConversationRow } from "../../../db/whatsapp/conversation-store.ts";
import { ConversationsUnavailableError } from "../../../durable-objects/conversation-client.ts";
import type { ConversationSummary, StoredMessage } from "../../../durable-objects/conversation.ts";
import { AppError } from "../../http/problem.ts";

// The inbox's shapes: a conversation (its Postgres mirror row, or the object's live summary with
// the row's links) and a message (the object's StoredMessage, flattened for clients).

export const ConversationSchema = z
  .object({
    id: z.uuid().openapi({ description: "Stable id: UUIDv5 of {channelId}:{waId}" }),
    channelId: z.uuid(),
    waId: z.string().openapi({ example: "525512345678", description: "The customer's WhatsApp id (digits)" }),
    contactId: z.uuid().nullable(),
    leadId: z.uuid().nullable(),
    status: z.enum(CONVERSATION_STATUSES),
    assignedTo: z.uuid().nullable(),
    tags: z.array(z.string()).openapi({ example: ["cotización"] }),
    profileName: z.string().nullable().openapi({ example: "Lupita Hernández" }),
    unreadCount: z.number().int(),
    messageCount: z.number().int(),
    lastMessageAt: z.string().nullable(),
    lastMessagePreview: z.string().nullable().openapi({ example: "¿Tienen la cotización lista para mañana?" }),
    windowExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: "End of the 24-hour customer-service window (free-form replies allowed until then)" }),
  })
  .openapi("WhatsAppConversation");

export type Conversation = z.infer<typeof ConversationSchema>;

const StatusHistorySchema = z
  .object(
    Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, z.string().optional()])) as Record<
      (typeof DELIVERY_STATUSES)[number],
      z.ZodOptional<z.ZodString>
    >,
  )
  .openapi({ description: "Earliest time each delivery status was reported" });

export const MessageSchema = z
  .object({
    providerMessageId: z
      .string()
      .openapi({ example: "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFDNBMDFGQUtFMDAwMDAwMDAwMQA=" }),
    direction: z.enum(["inbound", "outbound"]),
    type: z.string().nullable().openapi({ description: "null for a message known only from its statuses" }),
    from: z.enum(["customer", "business"]),
    to: z.enum(["customer", "business"]),
    text: z.string().nullable().openapi({ description: "Text, caption, button or list title…; null once purged" }),
    media: z
      .object({
        id: z.string().optional(),
        url: z.string().optional(),
        mimeType: z.string().optional(),
        filename: z.string().optional(),
        caption: z.string().optional(),
      })
      .nullable(),
    status: z.enum(DELIVERY_STATUSES).nullable(),
    errorCodes: z.array(z.string()),
    timestamp: z.string().nullable(),
  })
  .openapi("WhatsAppMessage");

export type Message = z.infer<typeof MessageSchema>;

export const MessageDetailSchema = MessageSchema.extend({
  conversationId: z.uuid(),
  statusHistory: StatusHistorySchema,
  pending: z.boolean().openapi({
    description: "Known only from delivery statuses so far (sent from another tool, or not recorded yet)",
  }),
}).openapi("WhatsAppMessageDetail");

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toConversationFromRow(row: ConversationRow): Conversation {
  return {
    id: row.id,
    channelId: row.channelId ?? "",
    waId: row.waId ?? "",
    contactId: row.contactId,
    leadId: row.leadId,
    status: row.status,
    assignedTo: row.assignedTo,
    tags: row.tags,
    profileName: row.profileName,
    unreadCount: row.unreadCount,
    messageCount: row.messageCount,
    lastMessageAt: row.lastMessageAt,
    lastMessagePreview: row.lastMessagePreview,
    windowExpiresAt: row.windowExpiresAt,
  };
}

/** The object's figures (fresher than the mirror) with the row's links and preview. */
export function toConversationFromSummary(s: ConversationSummary, ref: ConversationRef): Conversation {
  return {
    id: s.conversationId,
    channelId: s.channelId,
    waId: s.waId,
    contactId: ref.contactId,
    leadId: ref.leadId,
    status: s.status,
    assignedTo: s.assignedTo,
    tags: s.tags,
    profileName: s.profileName,
    unreadCount: s.unreadCount,
    messageCount: s.messageCount,
    lastMessageAt: iso(s.lastMessageAt),
    lastMessagePreview: ref.lastMessagePreview,
    windowExpiresAt: iso(s.windowExpiresAt),
  };
}

function mediaOf(m: StoredMessage): Message["media"] {
  const media = m.content?.media;
  if (!media) return null;
  const out: NonNullable<Message["media"]> = {};
  if ("id" in media && media.id) out.id = media.id;
  if ("url" in media && media.url) out.url = media.url;
  if (media.mimeType) out.mimeType = media.mimeType;
  if (media.filename) out.filename = media.filename;
  if ("caption" in media && media.caption) out.caption = media.caption;
  return out;
}

export function toMessage(m: StoredMessage): Message {
  const inbound = m.direction === "inbound";
  return {
    providerMessageId: m.providerMessageId,
    direction: m.direction,
    type: m.type,
    from: inbound ? "customer" : "business",
    to: inbound ? "business" : "customer",
    text: searchableText(m.content as SearchableContent | null),
    media: mediaOf(m),
    status: m.status,
    errorCodes: m.errorCodes,
    timestamp: iso(m.timestamp),
  };
}

export function toStatusHistory(history: StatusHistory): z.infer<typeof StatusHistorySchema> {
  const out: Record<string, string> = {};
  for (const [status, at] of Object.entries(history)) if (typeof at === "number") out[status] = iso(at)!;
  return out;
}

/**
 * A call to the conversation's object, with its typed errors (conversationErrorCode) as problems:
 * a caller's mistake is a 4xx, never a 500.
 */
export async function objectCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ConversationsUnavailableError)
      throw new AppError("SERVICE_UNAVAILABLE", "conversations are not available", { cause: err });
    const code = conversationErrorCode(err);
    const detail = err instanceof Error ? err.message.replace(/^[a-z_]+: /, "") : "conversation error";
    switch (code) {
      case "not_found":
        throw new AppError("NOT_FOUND", "conversation not found", { cause: err });
      case "invalid_tags":
        throw new AppError("UNPROCESSABLE", detail, {
          errors: [{ path: "body.tags", message: detail, code: "invalid_tags" }],
          cause: err,
        });
      case "invalid_cursor":
        throw new AppError("BAD_REQUEST", "cursor is malformed", {
          errors: [{ path: "query.cursor", message: "invalid cursor" }],
          cause: err,
        });
      case "invalid_input":
        throw new AppError("UNPROCESSABLE", detail, { cause: err });
      case "identity_mismatch":
        throw new AppError("CONFLICT", detail, { cause: err });
      case undefined:
        throw err;
    }
  }
}

import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { CHANNEL_PROVIDERS } from "../../core/channels/whatsapp-channel.ts";
import { CONVERSATION_STATUSES, DIRECTIONS } from "../../core/whatsapp/conversation-rules.ts";
import { DELIVERY_STATUSES } from "../../core/whatsapp/events.ts";
import { createdAt, id, tenantId, tstz, updatedAt } from "./columns.ts";
import { contacts, customers, leads } from "./crm.ts";
import { tenants } from "./tenants.ts";

// A tenant's connected WhatsApp number (migration 0008). Soft-deleted: conversations keep
// referring to a channel after it is disconnected. RLS, the webhook lookup role and the grants are
// hand-written in the migration.
export const whatsappChannels = pgTable(
  "whatsapp_channels",
  {
    id: id(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: "cascade" }),
    provider: text("provider", { enum: CHANNEL_PROVIDERS }).notNull(),
    name: text("name"),
    phoneNumberId: text("phone_number_id"),
    displayPhoneNumber: text("display_phone_number"),
    wabaId: text("waba_id"),
    sender: text("sender"),
    accountSid: text("account_sid"),
    signatureUrl: text("signature_url"),
    /** core/encoding/secret-envelope.ts, bound to the row id; never returned by the API nor put in events. */
    credentialsEnvelope: text("credentials_envelope").notNull(),
    credentialNames: text("credential_names")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Guards PATCH's read-merge-write of the credentials. */
    version: integer("version").notNull().default(1),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: tstz("deleted_at"),
  },
  (t) => [
    check(
      "whatsapp_channels_provider_check",
      sql`${t.provider} IN (${sql.raw(CHANNEL_PROVIDERS.map((p) => `'${p}'`).join(", "))})`,
    ),
    check(
      "whatsapp_channels_number_check",
      sql`CASE WHEN ${t.provider} = 'twilio' THEN ${t.sender} IS NOT NULL AND ${t.accountSid} IS NOT NULL ELSE ${t.phoneNumberId} IS NOT NULL END`,
    ),
    // One live channel per number across ALL tenants: a webhook names its number, and two tenants
    // must never both receive (or answer) one customer's messages.
    uniqueIndex("whatsapp_channels_phone_number_id_live_key")
      .on(t.phoneNumberId)
      .where(sql`${t.deletedAt} IS NULL AND ${t.phoneNumberId} IS NOT NULL`),
    uniqueIndex("whatsapp_channels_sender_live_key")
      .on(t.sender)
      .where(sql`${t.deletedAt} IS NULL AND ${t.sender} IS NOT NULL`),
    index("whatsapp_channels_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

// The inbox's listing copy of each ConversationDO (migration 0009): the object is the source of
// truth and pushes its changes here (durable-objects/conversation.ts mirror rows), so these rows
// are eventually consistent with it and never ahead of it. `id` is the conversation's stable id,
// a name-based UUID of "{channelId}:{waId}" (conversationUuid), the same in the object, its events
// and the API.
export const whatsappConversations = pgTable(
  "whatsapp_conversations",
  {
    id: id(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: "cascade" }),
    channelId: uuid("channel_id").references(() => whatsappChannels.id, { onDelete: "cascade" }),
    /** The customer's canonical wa_id (core/whatsapp/conversation-batches.ts). */
    waId: text("wa_id"),
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    leadId: uuid("lead_id").references(() => leads.id, { onDelete: "set null" }),
    customerId: uuid("customer_id").references(() => customers.id, { onDelete: "set null" }),
    provider: text("provider", { enum: CHANNEL_PROVIDERS }).notNull(),
    /** E.164 when the wa_id is a phone number. */
    phone: text("phone"),
    profileName: text("profile_name"),
    status: text("status", { enum: CONVERSATION_STATUSES }).notNull().default("open"),
    // No foreign key: the API checks the user when it assigns, and a mirror push must never be refused.
    assignedTo: uuid("assigned_to"),
    tags: text("tags")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    messageCount: integer("message_count").notNull().default(0),
    unreadCount: integer("unread_count").notNull().default(0),
    lastMessageAt: tstz("last_message_at"),
    lastMessagePreview: text("last_message_preview"),
    lastInboundAt: tstz("last_inbound_at"),
    lastReadAt: tstz("last_read_at"),
    // Meta's 24-hour customer service window.
    windowExpiresAt: tstz("window_expires_at"),
    /** The object's mirror sequence of the snapshot this row holds: an older push never overwrites a newer one. */
    mirroredSeq: bigint("mirrored_seq", { mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check(
      "whatsapp_conversations_status_check",
      sql`${t.status} IN (${sql.raw(CONVERSATION_STATUSES.map((s) => `'${s}'`).join(", "))})`,
    ),
    uniqueIndex("whatsapp_conversations_channel_wa_id_key").on(t.channelId, t.waId),
    index("whatsapp_conversations_tenant_last_message_idx").on(t.tenantId, t.lastMessageAt, t.id),
    index("whatsapp_conversations_tenant_contact_idx").on(t.tenantId, t.contactId),
  ],
);

// One row per message of a conversation, for listing and search (the bodies live in the object;
// `text` here is the searchable text, blanked with the object's 90-day retention). A message known
// only from a status webhook (sent by another tool, or its send not recorded yet) has no type.
export const whatsappMessages = pgTable(
  "whatsapp_messages",
  {
    id: id(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => whatsappConversations.id, { onDelete: "cascade" }),
    providerMessageId: text("provider_message_id").notNull(),
    direction: text("direction", { enum: DIRECTIONS }).notNull(),
    type: text("type"),
    text: text("text"),
    status: text("status", { enum: DELIVERY_STATUSES }),
    errorCodes: text("error_codes")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    sentBy: uuid("sent_by"),
    messageAt: tstz("message_at"),
    statusAt: tstz("status_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check(
      "whatsapp_messages_direction_check",
      sql`${t.direction} IN (${sql.raw(DIRECTIONS.map((s) => `'${s}'`).join(", "))})`,
    ),
    check(
      "whatsapp_messages_status_check",
      sql`${t.status} IS NULL OR ${t.status} IN (${sql.raw(DELIVERY_STATUSES.map((s) => `'${s}'`).join(", "))})`,
    ),
    uniqueIndex("whatsapp_messages_conversation_provider_id_key").on(t.conversationId, t.providerMessageId),
    index("whatsapp_messages_tenant_provider_id_idx").on(t.tenantId, t.providerMessageId),
    index("whatsapp_messages_conversation_time_idx").on(t.conversationId, t.messageAt, t.id),
  ],
);

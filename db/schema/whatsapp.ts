import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { CHANNEL_PROVIDERS } from "../../core/channels/whatsapp-channel.ts";
import { createdAt, id, tenantId, tstz, updatedAt } from "./columns.ts";
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

import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { ChannelProvider } from "../../core/channels/whatsapp-channel.ts";
import type { CloudEvent, EventType } from "../../core/events/cloudevents.ts";
import type { Actor } from "../actor.ts";
import { outboxEvents, writeWithEventStatement, type OutboxEventSpec } from "../outbox.ts";
import { whatsappChannels } from "../schema/whatsapp.ts";
import { builtWith, query, type Statement } from "../statement.ts";

// The WhatsApp channels context's SQL. Tenant statements take the tenant explicitly (RLS enforces
// it too) and see live channels only; `webhookChannel` is the one statement for the webhook's
// crm_webhook scope (platform/work.ts webhookChannelWork).

export type ChannelRow = typeof whatsappChannels.$inferSelect;

/** Global partial unique indexes (migration 0008): the field a refused number is named by. */
export const CHANNEL_NUMBER_UNIQUE = {
  whatsapp_channels_phone_number_id_live_key: "phoneNumberId",
  whatsapp_channels_sender_live_key: "sender",
} as const;
export type ChannelNumberUniqueField = (typeof CHANNEL_NUMBER_UNIQUE)[keyof typeof CHANNEL_NUMBER_UNIQUE];

export function takenNumberField(constraint: string | undefined): ChannelNumberUniqueField | undefined {
  return constraint && constraint in CHANNEL_NUMBER_UNIQUE
    ? CHANNEL_NUMBER_UNIQUE[constraint as keyof typeof CHANNEL_NUMBER_UNIQUE]
    : undefined;
}

/** The channel's columns a caller sets; `credentialsEnvelope` is sealed by the caller, bound to `id`. */
export interface ChannelFields {
  name: string | null;
  phoneNumberId: string | null;
  displayPhoneNumber: string | null;
  wabaId: string | null;
  sender: string | null;
  accountSid: string | null;
  signatureUrl: string | null;
  credentialsEnvelope: string;
  credentialNames: string[];
}

const live = (tenantId: string, id: string): SQL | undefined =>
  and(eq(whatsappChannels.tenantId, tenantId), eq(whatsappChannels.id, id), isNull(whatsappChannels.deletedAt));

export function insertChannel(
  actor: Actor,
  channel: ChannelFields & { id: string; provider: ChannelProvider },
): Statement<ChannelRow[]> {
  return query((db) =>
    db
      .insert(whatsappChannels)
      .values({ ...channel, tenantId: actor.tenantId, createdBy: actor.userId })
      .returning(),
  );
}

function channelEventSpec(actor: Actor, type: EventType, id: string): Omit<OutboxEventSpec, "table"> {
  return {
    type,
    context: "whatsapp",
    rowId: id,
    tenantId: actor.tenantId,
    userId: actor.userId,
    correlationId: actor.correlationId,
  };
}

/** The event about one channel, its payload the row as this batch left it (outbox.ts drops the envelope). */
export function channelEvent(actor: Actor, type: EventType, id: string): Statement<CloudEvent[]> {
  return outboxEvents({ ...channelEventSpec(actor, type, id), table: whatsappChannels });
}

export function getChannel(tenantId: string, id: string): Statement<ChannelRow[]> {
  return query((db) => db.select().from(whatsappChannels).where(live(tenantId, id)));
}

export const channelSortColumns = { created: whatsappChannels.createdAt, updated: whatsappChannels.updatedAt } as const;

/** One page of the tenant's live channels: `after` and `orderBy` from the keyset cursor (workers/http/pagination.ts). */
export function listChannels(
  tenantId: string,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<ChannelRow[]> {
  return query((db) =>
    db
      .select()
      .from(whatsappChannels)
      .where(and(eq(whatsappChannels.tenantId, tenantId), isNull(whatsappChannels.deletedAt), page.after))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}

/**
 * The channel's new state, if it is still live and at `version` (the one its credentials were
 * read and merged at), with `WhatsApp.ChannelUpdated`; no event (nothing written) otherwise.
 */
export function updateChannel(
  actor: Actor,
  id: string,
  version: number,
  changes: Partial<ChannelFields>,
): Statement<CloudEvent[]> {
  return builtWith((db) =>
    writeWithEventStatement(
      db
        .update(whatsappChannels)
        .set({ ...changes, version: sql`${whatsappChannels.version} + 1`, updatedAt: sql`now()` })
        .where(and(live(actor.tenantId, id), eq(whatsappChannels.version, version)))
        .returning(),
      channelEventSpec(actor, "WhatsApp.ChannelUpdated", id),
    ),
  );
}

/** Soft delete (conversations keep referring to the channel; its number is free again), with `WhatsApp.ChannelDeleted`. */
export function softDeleteChannel(actor: Actor, id: string): Statement<CloudEvent[]> {
  return builtWith((db) =>
    writeWithEventStatement(
      db
        .update(whatsappChannels)
        .set({ deletedAt: sql`now()`, updatedAt: sql`now()`, version: sql`${whatsappChannels.version} + 1` })
        .where(live(actor.tenantId, id))
        .returning(),
      channelEventSpec(actor, "WhatsApp.ChannelDeleted", id),
    ),
  );
}

/** What a webhook needs of its channel: the tenant, the number, and the sealed secrets. */
export interface WebhookChannelRow {
  id: string;
  tenantId: string;
  provider: ChannelProvider;
  phoneNumberId: string | null;
  sender: string | null;
  signatureUrl: string | null;
  credentialsEnvelope: string;
}

/**
 * For the webhook scope only (crm_webhook, migration 0008): the live channel `id`, which must be
 * the id the unit of work was opened for; the policy shows no other row and the grant no other column.
 */
export function webhookChannel(id: string): Statement<WebhookChannelRow[]> {
  return query((db) =>
    db
      .select({
        id: whatsappChannels.id,
        tenantId: whatsappChannels.tenantId,
        provider: whatsappChannels.provider,
        phoneNumberId: whatsappChannels.phoneNumberId,
        sender: whatsappChannels.sender,
        signatureUrl: whatsappChannels.signatureUrl,
        credentialsEnvelope: whatsappChannels.credentialsEnvelope,
      })
      .from(whatsappChannels)
      .where(and(eq(whatsappChannels.id, id), isNull(whatsappChannels.deletedAt))),
  );
}

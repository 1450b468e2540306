// One webhook delivery → one batch per conversation (channel + customer), each for its
// ConversationDO. Runtime-free.
//
// The customer's wa_id names the object, so the same person must always give the same id. Mexican
// mobile numbers are the trap: WhatsApp still reports many of them with the "1" abolished in 2019
// ("5215512345678") while a status's recipient_id or a Twilio From may carry "525512345678". The
// canonical id is the E.164 number of core/contacts/phone.ts without its "+", so both reach one
// object (and its contact); each item is rewritten to the canonical id. Ids that are not phone
// numbers are kept as they are.
import { normalizePhone } from "../contacts/phone.ts";
import type { ContactProfile, InboundMessage, NormalizedDelivery, StatusUpdate } from "./events.ts";

export interface ConversationDeliveryBatch {
  /** Canonical wa_id (digits, no "+"). */
  waId: string;
  /** The customer's E.164 phone, when the wa_id is a phone number. */
  phone: string | null;
  profile?: ContactProfile;
  messages: InboundMessage[];
  statuses: StatusUpdate[];
}

export function canonicalWaId(waId: string): { waId: string; phone: string | null } {
  if (!/^[0-9]{8,16}$/.test(waId)) return { waId, phone: null };
  const phone = normalizePhone(`+${waId}`);
  return phone.ok ? { waId: phone.e164.slice(1), phone: phone.e164 } : { waId, phone: null };
}

/** Batches in the order their conversations first appear in the delivery; items keep theirs. */
export function batchesByConversation(delivery: NormalizedDelivery): ConversationDeliveryBatch[] {
  const batches = new Map<string, ConversationDeliveryBatch>();
  const batchFor = (rawWaId: string): ConversationDeliveryBatch => {
    const { waId, phone } = canonicalWaId(rawWaId);
    let batch = batches.get(waId);
    if (!batch) {
      batch = { waId, phone, messages: [], statuses: [] };
      batches.set(waId, batch);
    }
    return batch;
  };
  // A profile alone (no message, no status) starts nothing: it only names the sender of a message.
  const profiles = new Map<string, ContactProfile>();
  for (const profile of delivery.contacts) {
    const { waId } = canonicalWaId(profile.waId);
    profiles.set(waId, { ...profile, waId });
  }
  // Items carry the canonical id too: the object refuses an item of another customer than its own.
  for (const message of delivery.messages) {
    const batch = batchFor(message.from);
    batch.messages.push(message.from === batch.waId ? message : { ...message, from: batch.waId });
  }
  for (const status of delivery.statuses) {
    const batch = batchFor(status.recipientId);
    batch.statuses.push(status.recipientId === batch.waId ? status : { ...status, recipientId: batch.waId });
  }
  for (const batch of batches.values()) {
    const profile = profiles.get(batch.waId);
    if (profile) batch.profile = profile;
  }
  return [...batches.values()];
}

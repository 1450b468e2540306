// Meta Cloud API webhook deliveries (and 360dialog's, which forwards the same shape) → normalized
// events. Structure is checked by hand: one bad message is skipped and reported, not a 400 for
// the other 999, and hand checks let every loop stop at its limit before touching the rest.

import type {
  ContactProfile,
  DeliveryStatus,
  InboundMessage,
  MediaRef,
  ParseResult,
  ProviderError,
  SharedContact,
  StatusUpdate,
} from "./events.ts";
import {
  MAX_CHANGES_PER_ENTRY,
  MAX_CONTACT_FIELDS,
  MAX_ENTRIES_PER_DELIVERY,
  MAX_EVENTS_PER_DELIVERY,
  MAX_ITEMS_PER_CHANGE,
  MAX_ORDER_ITEMS,
  MAX_SHARED_CONTACTS,
  MAX_STATUS_ERRORS,
} from "./limits.ts";
import {
  boundedJson,
  DeliveryBuilder,
  isObject,
  type JsonObject,
  readBodyText,
  readId,
  readNumber,
  readSeconds,
  readShort,
  readText,
} from "./read.ts";

const MEDIA_TYPES = new Set(["image", "audio", "video", "document", "sticker"]);
const STATUSES = new Set<string>(["sent", "delivered", "read", "failed"] satisfies DeliveryStatus[]);

export function parseMetaWebhook(body: Uint8Array | string): ParseResult {
  const read = readBodyText(body);
  if (!read.ok) return read;
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch {
    return { ok: false, error: "invalid_json", message: "body is not JSON" };
  }
  if (!isObject(json) || json.object !== "whatsapp_business_account" || !Array.isArray(json.entry))
    return {
      ok: false,
      error: "invalid_shape",
      message: 'expected { object: "whatsapp_business_account", entry: [] }',
    };

  const out = new DeliveryBuilder();
  const entries = limited(out, json.entry, MAX_ENTRIES_PER_DELIVERY, "entry");
  entries.forEach((entry, e) => {
    const path = `entry[${e}]`;
    if (!isObject(entry) || !Array.isArray(entry.changes)) return out.skip(path, "entry without changes[]");
    limited(out, entry.changes, MAX_CHANGES_PER_ENTRY, `${path}.changes`).forEach((change, c) =>
      readChange(out, change, `${path}.changes[${c}]`),
    );
  });
  return { ok: true, delivery: out.delivery };
}

function readChange(out: DeliveryBuilder, change: unknown, path: string): void {
  if (!isObject(change) || !isObject(change.value)) return out.skip(path, "change without value");
  // Other fields (account_update, message_template_status_update, …) are other subscriptions.
  if (change.field !== "messages") return out.skip(path, `field ${String(change.field).slice(0, 64)} not handled`);
  const value = change.value;
  const phoneNumberId = isObject(value.metadata) ? readId(value.metadata.phone_number_id) : undefined;
  if (!phoneNumberId) return out.skip(`${path}.value.metadata`, "no phone_number_id");
  out.addPhoneNumberId(phoneNumberId);

  let budget = MAX_ITEMS_PER_CHANGE;
  const take = (key: "contacts" | "messages" | "statuses"): unknown[] => {
    const list = value[key];
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      out.skip(`${path}.value.${key}`, "not an array");
      return [];
    }
    const kept = list.slice(0, budget);
    if (list.length > kept.length)
      out.skip(
        `${path}.value.${key}`,
        `limit: ${MAX_ITEMS_PER_CHANGE} items per change, ${list.length - kept.length} dropped`,
      );
    budget -= kept.length;
    return kept;
  };

  take("contacts").forEach((contact, i) => {
    const profile = readContact(contact, phoneNumberId);
    if (profile) out.delivery.contacts.push(profile);
    else out.skip(`${path}.value.contacts[${i}]`, "contact without wa_id");
  });
  for (const key of ["messages", "statuses"] as const) {
    take(key).forEach((item, i) => {
      const itemPath = `${path}.value.${key}[${i}]`;
      if (out.eventCount >= MAX_EVENTS_PER_DELIVERY)
        return out.skip(itemPath, `limit: ${MAX_EVENTS_PER_DELIVERY} events per delivery`);
      const result = key === "messages" ? readMessage(item, phoneNumberId) : readStatus(item, phoneNumberId);
      if (typeof result === "string") out.skip(itemPath, result);
      else if (key === "messages") out.delivery.messages.push(result as InboundMessage);
      else out.delivery.statuses.push(result as StatusUpdate);
    });
  }
}

function readContact(contact: unknown, phoneNumberId: string): ContactProfile | undefined {
  if (!isObject(contact)) return undefined;
  const waId = readId(contact.wa_id);
  if (!waId) return undefined;
  const profile: ContactProfile = { phoneNumberId, waId };
  const userId = readId(contact.user_id);
  if (userId) profile.userId = userId;
  const name = isObject(contact.profile) ? readShort(contact.profile.name) : undefined;
  if (name !== undefined) profile.name = name;
  return profile;
}

/** A message, or why it was skipped. Unknown or malformed content becomes "unsupported", not a skip. */
function readMessage(m: unknown, phoneNumberId: string): InboundMessage | string {
  if (!isObject(m)) return "message is not an object";
  const providerMessageId = readId(m.id);
  if (!providerMessageId) return "message without id";
  const from = readId(m.from);
  if (!from) return "message without from";
  const timestamp = readSeconds(m.timestamp);
  if (timestamp === undefined) return "message without a valid timestamp";
  const originalType = typeof m.type === "string" ? m.type.slice(0, 64) : "";
  const msg: InboundMessage = { phoneNumberId, providerMessageId, from, timestamp, type: "unsupported" };
  const context = readContext(m.context);
  if (context) msg.context = context;
  const failure = fillContent(msg, originalType, m);
  if (failure !== undefined) {
    msg.type = "unsupported";
    msg.unsupported = { originalType, reason: failure };
    const { raw, truncated } = boundedJson(m);
    msg.raw = raw;
    if (truncated) msg.rawTruncated = true;
    const errors = readErrors(m.errors);
    if (errors.length > 0) msg.errors = errors;
  }
  return msg;
}

/** Sets type and content; returns why the content was not understood, or undefined. */
function fillContent(msg: InboundMessage, type: string, m: JsonObject): string | undefined {
  const body = m[type];
  if (type === "unsupported" || type === "unknown") return "provider could not render it";
  if (type === "contacts") {
    if (!Array.isArray(body)) return "contacts is not an array";
    fillContacts(msg, body);
    return undefined;
  }
  if (!isObject(body)) return type === "" ? "no type" : `type ${type} not understood`;
  if (type === "text") {
    const text = readText(body.body);
    if (!text) return "text without body";
    setText(msg, text);
  } else if (MEDIA_TYPES.has(type)) {
    const media = readMedia(body);
    if (!media) return `${type} without id`;
    msg.media = media;
    if (typeof body.caption === "string") setText(msg, readText(body.caption)!);
  } else if (type === "location") {
    const latitude = readNumber(body.latitude);
    const longitude = readNumber(body.longitude);
    if (latitude === undefined || longitude === undefined) return "location without coordinates";
    msg.location = { latitude, longitude, ...optional({ name: body.name, address: body.address, url: body.url }) };
  } else if (type === "interactive") {
    const kind = body.type;
    if (kind !== "button_reply" && kind !== "list_reply")
      return `interactive ${String(kind).slice(0, 64)} not understood`;
    const reply = body[kind];
    const id = isObject(reply) ? readId(reply.id) : undefined;
    if (!isObject(reply) || !id) return `${kind} without id`;
    msg.interactive = {
      kind,
      id,
      title: readShort(reply.title) ?? "",
      ...optional({ description: reply.description }),
    };
  } else if (type === "button") {
    msg.button = { text: readShort(body.text) ?? "", ...optional({ payload: body.payload }) };
  } else if (type === "reaction") {
    const messageId = readId(body.message_id);
    if (!messageId) return "reaction without message_id";
    msg.reaction = { messageId, ...optional({ emoji: body.emoji }) };
  } else if (type === "order") {
    const catalogId = readId(body.catalog_id);
    if (!catalogId || !Array.isArray(body.product_items)) return "order without catalog_id or product_items";
    msg.order = { catalogId, items: readOrderItems(body.product_items), ...optional({ text: body.text }) };
  } else if (type === "system") {
    msg.system = optional({ kind: body.type, body: body.body, newWaId: body.wa_id ?? body.new_wa_id });
  } else return `type ${type} not understood`;
  msg.type = type as InboundMessage["type"];
  return undefined;
}

// "contacts" is the one type whose content is an array (the shared vCards).
function fillContacts(msg: InboundMessage, cards: unknown[]): void {
  msg.type = "contacts";
  msg.contacts = cards.slice(0, MAX_SHARED_CONTACTS).filter(isObject).map(readSharedContact);
}

function readSharedContact(card: JsonObject): SharedContact {
  const name = isObject(card.name) ? readShort(card.name.formatted_name) : undefined;
  const phones = (Array.isArray(card.phones) ? card.phones.slice(0, MAX_CONTACT_FIELDS) : [])
    .filter(isObject)
    .flatMap((p) => {
      const phone = readId(p.phone);
      return phone ? [{ phone, ...optional({ waId: p.wa_id, type: p.type }) }] : [];
    });
  const emails = (Array.isArray(card.emails) ? card.emails.slice(0, MAX_CONTACT_FIELDS) : [])
    .filter(isObject)
    .flatMap((e) => readShort(e.email) ?? []);
  return { ...(name !== undefined ? { name } : {}), phones, emails };
}

function readOrderItems(items: unknown[]) {
  return items
    .slice(0, MAX_ORDER_ITEMS)
    .filter(isObject)
    .flatMap((item) => {
      const productRetailerId = readId(item.product_retailer_id);
      const quantity = readNumber(item.quantity);
      const itemPrice = readNumber(item.item_price);
      const currency = readShort(item.currency);
      if (!productRetailerId || quantity === undefined || itemPrice === undefined || !currency) return [];
      return [{ productRetailerId, quantity, itemPrice, currency }];
    });
}

function readMedia(body: JsonObject): MediaRef | undefined {
  const id = readId(body.id);
  if (!id) return undefined;
  return { id, ...optional({ mimeType: body.mime_type, sha256: body.sha256, filename: body.filename }) };
}

function readContext(context: unknown): InboundMessage["context"] {
  if (!isObject(context)) return undefined;
  const out: NonNullable<InboundMessage["context"]> = {};
  const messageId = readId(context.id);
  if (messageId) out.messageId = messageId;
  const from = readId(context.from);
  if (from) out.from = from;
  if (context.forwarded === true || context.frequently_forwarded === true) out.forwarded = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

function readStatus(s: unknown, phoneNumberId: string): StatusUpdate | string {
  if (!isObject(s)) return "status is not an object";
  const providerMessageId = readId(s.id);
  const recipientId = readId(s.recipient_id);
  if (!providerMessageId || !recipientId) return "status without id or recipient_id";
  const providerStatus = typeof s.status === "string" ? s.status.slice(0, 64) : "";
  if (!STATUSES.has(providerStatus)) return `status ${providerStatus || "(none)"} not tracked`;
  const timestamp = readSeconds(s.timestamp);
  if (timestamp === undefined) return "status without a valid timestamp";
  const update: StatusUpdate = {
    phoneNumberId,
    providerMessageId,
    recipientId,
    status: providerStatus as DeliveryStatus,
    providerStatus,
    timestamp,
    errors: readErrors(s.errors),
  };
  if (isObject(s.conversation)) {
    const id = readId(s.conversation.id);
    if (id) {
      const expiresAt = readSeconds(s.conversation.expiration_timestamp);
      const originType = isObject(s.conversation.origin) ? readShort(s.conversation.origin.type) : undefined;
      update.conversation = {
        id,
        ...(expiresAt !== undefined ? { expiresAt } : {}),
        ...(originType !== undefined ? { originType } : {}),
      };
    }
  }
  if (isObject(s.pricing)) {
    const p = s.pricing;
    update.pricing = {
      ...(typeof p.billable === "boolean" ? { billable: p.billable } : {}),
      ...optional({ pricingModel: p.pricing_model, category: p.category, type: p.type }),
    };
  }
  return update;
}

function readErrors(errors: unknown): ProviderError[] {
  if (!Array.isArray(errors)) return [];
  return errors
    .slice(0, MAX_STATUS_ERRORS)
    .filter(isObject)
    .map((e) => {
      const code = readNumber(e.code) ?? readShort(e.code) ?? "unknown";
      const details = isObject(e.error_data) ? readShort(e.error_data.details) : undefined;
      return {
        code,
        title: readShort(e.title) ?? "",
        ...optional({ message: e.message }),
        ...(details !== undefined ? { details } : {}),
      };
    });
}

function setText(msg: InboundMessage, text: { text: string; truncated: boolean }): void {
  msg.text = text.text;
  if (text.truncated) msg.textTruncated = true;
}

/** The string fields among `fields`, each cut to the short-text limit; others left out. */
function optional<K extends string>(fields: Record<K, unknown>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key in fields) {
    const value = readShort(fields[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function limited(out: DeliveryBuilder, list: unknown[], max: number, path: string): unknown[] {
  if (list.length <= max) return list;
  out.skip(path, `limit: ${max} kept, ${list.length - max} dropped`);
  return list.slice(0, max);
}

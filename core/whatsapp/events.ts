// Provider-neutral shapes of what a WhatsApp webhook delivery says. Meta, 360dialog and Twilio
// parsers all produce these, so the ConversationDO and the inbox never see a provider's format.

export type MessageType =
  | "text"
  | "image"
  | "audio"
  | "video"
  | "document"
  | "sticker"
  | "location"
  | "contacts"
  | "interactive"
  | "button"
  | "reaction"
  | "order"
  | "system"
  | "unsupported";

export interface MediaRef {
  /** Meta media id (download through the Graph API), or the media URL for Twilio. */
  id: string;
  mimeType?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
}

export interface SharedLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

export interface SharedContact {
  name?: string;
  phones: { phone: string; waId?: string; type?: string }[];
  emails: string[];
}

export interface OrderItem {
  productRetailerId: string;
  quantity: number;
  itemPrice: number;
  currency: string;
}

export interface InboundMessage {
  /** The business number that received it (Meta phone_number_id; Twilio's To, digits only). */
  phoneNumberId: string;
  providerMessageId: string;
  /** The customer: wa_id digits, no "+" (Twilio's whatsapp:+52… is normalized to this). */
  from: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  type: MessageType;
  text?: string;
  /** The text or caption was longer than MAX_TEXT_CHARS and was cut. */
  textTruncated?: boolean;
  media?: MediaRef;
  /** Twilio can attach several media to one message; media is the first. */
  extraMedia?: MediaRef[];
  location?: SharedLocation;
  contacts?: SharedContact[];
  interactive?: { kind: "button_reply" | "list_reply"; id: string; title: string; description?: string };
  button?: { text: string; payload?: string };
  /** No emoji: the customer removed an earlier reaction. */
  reaction?: { messageId: string; emoji?: string };
  order?: { catalogId: string; text?: string; items: OrderItem[] };
  system?: { kind?: string; body?: string; newWaId?: string };
  /** What the customer replied to, or that it was forwarded. */
  context?: { messageId?: string; from?: string; forwarded?: boolean };
  /** For "unsupported": the provider's type and why it was not understood. */
  unsupported?: { originalType: string; reason: string };
  /** For "unsupported": the provider's JSON of the message, at most MAX_RAW_JSON_CHARS. */
  raw?: string;
  rawTruncated?: boolean;
  errors?: ProviderError[];
}

/** Closed set: also a CHECK constraint of migration 0009 (db/closed-sets.test.ts). */
export const DELIVERY_STATUSES = ["sent", "delivered", "read", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface ProviderError {
  code: number | string;
  title: string;
  message?: string;
  details?: string;
}

export interface StatusUpdate {
  phoneNumberId: string;
  providerMessageId: string;
  recipientId: string;
  status: DeliveryStatus;
  /** The provider's own word (Twilio "undelivered" becomes "failed" but stays here). */
  providerStatus: string;
  timestamp: number;
  errors: ProviderError[];
  conversation?: { id: string; expiresAt?: number; originType?: string };
  pricing?: { billable?: boolean; pricingModel?: string; category?: string; type?: string };
}

export interface ContactProfile {
  phoneNumberId: string;
  waId: string;
  userId?: string;
  name?: string;
}

export interface Skipped {
  /** Where in the delivery, e.g. entry[0].changes[1].value.messages[3]. */
  path: string;
  reason: string;
}

export interface NormalizedDelivery {
  phoneNumberIds: string[];
  contacts: ContactProfile[];
  messages: InboundMessage[];
  statuses: StatusUpdate[];
  /** At most MAX_SKIPPED_REPORTED entries; skippedCount counts them all. */
  skipped: Skipped[];
  skippedCount: number;
}

export type PayloadErrorCode = "too_large" | "invalid_encoding" | "invalid_json" | "invalid_shape";

/** Never thrown: the route answers 400 with the code and logs the message. */
export type ParseResult =
  { ok: true; delivery: NormalizedDelivery } | { ok: false; error: PayloadErrorCode; message: string };

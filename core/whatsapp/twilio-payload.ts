// Twilio's form-encoded WhatsApp webhooks (inbound messages and status callbacks) → the same
// normalized events as Meta's. Twilio posts one event per request and sends no timestamp, so the
// caller passes the time it received the request.

import type { DeliveryStatus, InboundMessage, MediaRef, ParseResult } from "./events.ts";
import { MAX_TWILIO_BODY_BYTES, MAX_TWILIO_MEDIA, MAX_TWILIO_PARAMS } from "./limits.ts";
import { DeliveryBuilder, readBodyText, readId, readNumber, readShort, readText } from "./read.ts";

export type TwilioFormResult = { ok: true; params: URLSearchParams } | Extract<ParseResult, { ok: false }>;

/** The form, within MAX_TWILIO_BODY_BYTES and MAX_TWILIO_PARAMS; parse once, then verify and read it. */
export function readTwilioForm(body: Uint8Array | string): TwilioFormResult {
  const read = readBodyText(body, MAX_TWILIO_BODY_BYTES);
  if (!read.ok) return read;
  const params = new URLSearchParams(read.text);
  if (params.size > MAX_TWILIO_PARAMS)
    return { ok: false, error: "too_large", message: `more than ${MAX_TWILIO_PARAMS} parameters` };
  return { ok: true, params };
}

const STATUS_MAP: Readonly<Record<string, DeliveryStatus>> = {
  sent: "sent",
  delivered: "delivered",
  read: "read",
  failed: "failed",
  undelivered: "failed",
};
/** Statuses of inbound messages: the request is the message itself. */
const INBOUND_STATUSES = new Set(["received", "receiving"]);

export function parseTwilioWebhook(params: URLSearchParams, receivedAt: number): ParseResult {
  const sid = readId(params.get("MessageSid") ?? params.get("SmsSid"));
  const to = whatsappNumber(params.get("To"));
  const from = whatsappNumber(params.get("From"));
  if (!sid || !to || !from)
    return { ok: false, error: "invalid_shape", message: "expected MessageSid and whatsapp: To/From" };
  const out = new DeliveryBuilder();
  const providerStatus = (params.get("MessageStatus") ?? params.get("SmsStatus") ?? "").slice(0, 64);
  const isStatusCallback = providerStatus !== "" && !INBOUND_STATUSES.has(providerStatus);
  // A status callback is about our outbound message: From is the business and To the customer.
  const business = isStatusCallback ? from : to;
  const customer = isStatusCallback ? to : from;
  const phoneNumberId = business.digits ?? business.raw;
  out.addPhoneNumberId(phoneNumberId);

  if (isStatusCallback) {
    const status = STATUS_MAP[providerStatus];
    if (!status) out.skip("MessageStatus", `status ${providerStatus} not tracked`);
    else {
      const code = params.get("ErrorCode");
      out.delivery.statuses.push({
        phoneNumberId,
        providerMessageId: sid,
        recipientId: customer.digits ?? customer.raw,
        status,
        providerStatus,
        timestamp: receivedAt,
        errors:
          code && code !== "0"
            ? [{ code: readNumber(code) ?? code.slice(0, 64), title: readShort(params.get("ErrorMessage")) ?? "" }]
            : [],
      });
    }
    return { ok: true, delivery: out.delivery };
  }

  const waId = readId(params.get("WaId")) ?? customer.digits ?? customer.raw;
  const profileName = readShort(params.get("ProfileName"));
  out.delivery.contacts.push({ phoneNumberId, waId, ...(profileName ? { name: profileName } : {}) });
  out.delivery.messages.push(readMessage(params, out, { phoneNumberId, sid, from: waId, receivedAt }));
  return { ok: true, delivery: out.delivery };
}

function readMessage(
  params: URLSearchParams,
  out: DeliveryBuilder,
  m: { phoneNumberId: string; sid: string; from: string; receivedAt: number },
): InboundMessage {
  const msg: InboundMessage = {
    phoneNumberId: m.phoneNumberId,
    providerMessageId: m.sid,
    from: m.from,
    timestamp: m.receivedAt,
    type: "text",
  };
  const body = readText(params.get("Body") ?? "");
  if (body && body.text !== "") {
    msg.text = body.text;
    if (body.truncated) msg.textTruncated = true;
  }
  const replied = readId(params.get("OriginalRepliedMessageSid"));
  if (replied) msg.context = { messageId: replied };

  const media = readMedia(params, out);
  const latitude = readNumber(params.get("Latitude"));
  const longitude = readNumber(params.get("Longitude"));
  const buttonText = params.get("ButtonText");
  if (media.length > 0) {
    msg.media = media[0];
    if (media.length > 1) msg.extraMedia = media.slice(1);
    msg.type = mediaType(media[0]!.mimeType);
  } else if (latitude !== undefined && longitude !== undefined) {
    msg.type = "location";
    const name = readShort(params.get("Label"));
    const address = readShort(params.get("Address"));
    msg.location = { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) };
  } else if (buttonText !== null) {
    msg.type = "button";
    const payload = readShort(params.get("ButtonPayload"));
    msg.button = { text: readShort(buttonText) ?? "", ...(payload ? { payload } : {}) };
  } else if (msg.text === undefined) {
    msg.type = "unsupported";
    msg.unsupported = {
      originalType: readShort(params.get("MessageType")) ?? "",
      reason: "no body, media or location",
    };
  }
  return msg;
}

function readMedia(params: URLSearchParams, out: DeliveryBuilder): MediaRef[] {
  const declared = readNumber(params.get("NumMedia")) ?? 0;
  if (declared > MAX_TWILIO_MEDIA) out.skip("NumMedia", `limit: ${MAX_TWILIO_MEDIA} media kept of ${declared}`);
  const media: MediaRef[] = [];
  for (let i = 0; i < Math.min(declared, MAX_TWILIO_MEDIA); i++) {
    const url = readShort(params.get(`MediaUrl${i}`));
    if (!url) {
      out.skip(`MediaUrl${i}`, "declared by NumMedia but missing");
      continue;
    }
    const mimeType = readShort(params.get(`MediaContentType${i}`));
    media.push({ id: url, ...(mimeType ? { mimeType } : {}) });
  }
  return media;
}

function mediaType(mimeType: string | undefined): InboundMessage["type"] {
  const top = mimeType?.split("/")[0];
  if (top === "image" || top === "audio" || top === "video") return top;
  return "document";
}

/** "whatsapp:+5215512345678" → digits "5215512345678", matching Meta's wa_id form. */
function whatsappNumber(value: string | null): { raw: string; digits?: string } | undefined {
  const raw = readId(value);
  if (!raw) return undefined;
  const match = /^whatsapp:\+?(\d{6,20})$/.exec(raw);
  return match ? { raw, digits: match[1]! } : { raw };
}

// A provider's webhook request → its normalized delivery, or why it is refused. The signature is
// checked over the raw bytes BEFORE anything is parsed (Twilio signs its form fields, so its form
// is read first, within core/whatsapp's bounds). No secret, body or phone number leaves here.
import type { NormalizedDelivery, PayloadErrorCode } from "../../../core/whatsapp/events.ts";
import { parseMetaWebhook } from "../../../core/whatsapp/meta-payload.ts";
import {
  verify360dialogSignature,
  verifyMetaSignature,
  verifyTwilioSignature,
  type SignatureFailure,
} from "../../../core/whatsapp/signatures.ts";
import { parseTwilioWebhook, readTwilioForm } from "../../../core/whatsapp/twilio-payload.ts";
import type { WebhookChannel } from "../channel-lookup.ts";

export type DeliveryRefusal =
  | { kind: "signature"; reason: SignatureFailure | "no_secret" }
  | { kind: "payload"; error: PayloadErrorCode; message: string }
  | { kind: "number"; reason: string };

export type DeliveryReading = { ok: true; delivery: NormalizedDelivery } | { ok: false; refusal: DeliveryRefusal };

export interface WebhookRequest {
  body: Uint8Array;
  header: (name: string) => string | undefined;
  /** The URL the request arrived at (Twilio's signed URL when the channel has no signatureUrl). */
  url: string;
  receivedAt: number;
}

export async function readDelivery(channel: WebhookChannel, request: WebhookRequest): Promise<DeliveryReading> {
  const refuse = (refusal: DeliveryRefusal): DeliveryReading => ({ ok: false, refusal });
  const { credentials } = channel;
  let parsed;
  if (channel.provider === "twilio") {
    if (!credentials.authToken) return refuse({ kind: "signature", reason: "no_secret" });
    const form = readTwilioForm(request.body);
    if (!form.ok) return refuse({ kind: "payload", error: form.error, message: form.message });
    const signed = await verifyTwilioSignature(
      credentials.authToken,
      channel.signatureUrl ?? request.url,
      form.params,
      request.header("x-twilio-signature"),
    );
    if (!signed.ok) return refuse({ kind: "signature", reason: signed.reason });
    parsed = parseTwilioWebhook(form.params, request.receivedAt);
  } else {
    const signed =
      channel.provider === "meta"
        ? credentials.appSecret
          ? await verifyMetaSignature(credentials.appSecret, request.body, request.header("x-hub-signature-256"))
          : undefined
        : credentials.webhookSecret
          ? await verify360dialogSignature(
              credentials.webhookSecret,
              request.body,
              request.header("x-360dialog-signature"),
            )
          : undefined;
    if (!signed) return refuse({ kind: "signature", reason: "no_secret" });
    if (!signed.ok) return refuse({ kind: "signature", reason: signed.reason });
    parsed = parseMetaWebhook(request.body);
  }
  if (!parsed.ok) return refuse({ kind: "payload", error: parsed.error, message: parsed.message });
  const wrong = foreignNumber(channel, parsed.delivery);
  if (wrong) return refuse({ kind: "number", reason: wrong });
  return { ok: true, delivery: parsed.delivery };
}

/**
 * Why the delivery is about another business number than the channel's, or undefined. A valid
 * signature proves who sent it, not that it is for this channel: one Meta app signs the deliveries
 * of every number it manages, so a URL must only accept its own number's.
 */
function foreignNumber(channel: WebhookChannel, delivery: NormalizedDelivery): string | undefined {
  const own = channel.provider === "twilio" ? (channel.sender ?? "").replace(/[^0-9]/g, "") : channel.phoneNumberId;
  if (!own) return "the channel has no number";
  const ids = new Set(delivery.phoneNumberIds);
  for (const m of delivery.messages) ids.add(m.phoneNumberId);
  for (const s of delivery.statuses) ids.add(s.phoneNumberId);
  for (const id of ids) if (id !== own) return "the delivery is for another business number than this channel's";
  return undefined;
}

// Signed WhatsApp webhook deliveries, as each provider sends them, for the webhook suites.
import { env } from "cloudflare:test";
import { metaEscapedJson } from "../../core/whatsapp/meta-json.ts";
import { hexHmacSha256, twilioSignature } from "../../core/whatsapp/signatures.ts";
import metaMessages from "../../core/whatsapp/fixtures/meta-messages.json";
import metaStatuses from "../../core/whatsapp/fixtures/meta-statuses.json";
import metaText from "../../core/whatsapp/fixtures/meta-text.json";
import { conversationStub } from "../../durable-objects/conversation-client.ts";
import type { Env } from "../../platform/env.ts";
import { api } from "./harness.ts";

export const FIXTURE_PHONE_NUMBER_ID = "106540352242922";
export const FIXTURES = { text: metaText, messages: metaMessages, statuses: metaStatuses } as const;

/** A fixture as the JSON text Meta would send for `phoneNumberId` (raw UTF-8, as some relays send it). */
export function metaBody(fixture: unknown, phoneNumberId: string): string {
  return JSON.stringify(fixture).replaceAll(FIXTURE_PHONE_NUMBER_ID, phoneNumberId);
}

/** Meta's own escaping of `json` (core/whatsapp/meta-json.ts): the same JSON value, other bytes. */
export const metaEscaped = metaEscapedJson;

const encoder = new TextEncoder();

export async function postMeta(channelId: string, appSecret: string, body: string, provider = "meta") {
  const signature = await hexHmacSha256(appSecret, encoder.encode(body));
  return api(`/webhooks/whatsapp/${provider}/${channelId}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(provider === "meta"
        ? { "x-hub-signature-256": `sha256=${signature}` }
        : { "x-360dialog-signature": signature }),
    },
    body,
  });
}

/** A Twilio form post signed for `signedUrl` (the channel's signatureUrl, or the request URL). */
export async function postTwilio(
  channelId: string,
  authToken: string,
  params: Record<string, string>,
  signedUrl?: string,
) {
  const path = `/webhooks/whatsapp/twilio/${channelId}`;
  const signature = await twilioSignature(authToken, signedUrl ?? `http://crm.test${path}`, params);
  return api(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
    body: new URLSearchParams(params).toString(),
  });
}

export function conversation(channelId: string, waId: string) {
  return conversationStub(env as Env, channelId, waId);
}

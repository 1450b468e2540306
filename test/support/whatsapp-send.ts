// Sending WhatsApp messages in the suites: a conversation opened by a signed inbound delivery, the
// local provider APIs (scripts/local/whatsapp-providers.ts) and what they received.
import { expect } from "vitest";
import type { RecordedRequest, FakeProvider } from "../../scripts/local/whatsapp-providers.ts";
import { conversationUuid } from "../../core/whatsapp/conversation-id.ts";
import type { Channel } from "../../workers/whatsapp/channels/channel-schema.ts";
import { api, createTenant, tokenFor, type TestTenant } from "./harness.ts";
import { testEnv } from "./env.ts";
import { conversation, FIXTURES, metaBody, postMeta, postTwilio } from "./whatsapp-deliveries.ts";
import { flushMirror } from "./whatsapp-conversations.ts";
import { dialogChannel, metaChannel, twilioChannel } from "./whatsapp-fixtures.ts";

/** The fixtures' customer (Lupita, "5215512345678" in Meta's deliveries) as the canonical wa_id. */
export const LUPITA = "525512345678";
/** The inbound fixture's own time (June 2025): its 24-hour window is long closed. */
const OLD_INBOUND_SECONDS = "1749416383";

function fakeUrl(): string {
  const url = testEnv.TEST_WHATSAPP_PROVIDERS_URL;
  if (!url) throw new Error("TEST_WHATSAPP_PROVIDERS_URL is not set: run the suites with `npm test`");
  return url;
}

export async function fakeControl(path: "/__fail" | "/__next-id" | "/__channels", body: Record<string, unknown>) {
  const res = await fetch(`${fakeUrl()}${path}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** The send requests the fake received for one channel (its phone-number-id, API key or AccountSid). */
export async function fakeRequests(provider: FakeProvider, key: string): Promise<RecordedRequest[]> {
  const q = new URLSearchParams({ provider, key });
  return (await (await fetch(`${fakeUrl()}/__requests?${q}`)).json()) as RecordedRequest[];
}

export interface OpenConversation {
  tenant: TestTenant;
  token: string;
  userId: string;
  channel: Channel;
  credentials: Record<string, string>;
  /** The fake's name for the channel: phone-number-id, API key or AccountSid. */
  fakeKey: string;
  conversationId: string;
  waId: string;
}

export type ConnectedChannel = Omit<OpenConversation, "conversationId" | "waId">;

/** A tenant with a channel of `provider`, known to the fake with its credentials; no conversation yet. */
export async function connectChannel(provider: FakeProvider): Promise<ConnectedChannel> {
  const tenant = await createTenant();
  const userId = crypto.randomUUID();
  const admin = await tokenFor(tenant, { role: "admin" });
  const token = await tokenFor(tenant, { role: "user", userId });
  const body = provider === "meta" ? metaChannel() : provider === "360dialog" ? dialogChannel() : twilioChannel();
  const res = await api("/v1/whatsapp/channels", { method: "POST", token: admin, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  const channel = (await res.json()) as Channel;
  const credentials = body.credentials as Record<string, string>;

  let fakeKey: string;
  if (provider === "meta") {
    fakeKey = channel.phoneNumberId!;
    await fakeControl("/__channels", { provider, phoneNumberId: fakeKey, accessToken: credentials.accessToken });
  } else if (provider === "360dialog") {
    fakeKey = credentials.apiKey!;
    await fakeControl("/__channels", { provider, apiKey: fakeKey });
  } else {
    fakeKey = channel.accountSid!;
    await fakeControl("/__channels", {
      provider,
      accountSid: fakeKey,
      authToken: credentials.authToken,
      sender: channel.sender,
    });
  }
  return { tenant, token, userId, channel, credentials, fakeKey };
}

/**
 * connectChannel, and a conversation opened by Lupita's signed inbound message: now (window
 * open), or the fixture's 2025 message (`window: "closed"`; Meta and 360dialog only, Twilio
 * stamps messages on arrival).
 */
export async function openConversation(
  provider: FakeProvider,
  opts: { window?: "open" | "closed" } = {},
): Promise<OpenConversation> {
  const { tenant, token, userId, channel, credentials, fakeKey } = await connectChannel(provider);

  if (provider === "twilio") {
    const inbound = {
      MessageSid: `SM${crypto.randomUUID().replaceAll("-", "")}`,
      AccountSid: channel.accountSid!,
      From: `whatsapp:+521${LUPITA.slice(2)}`,
      To: channel.sender!,
      Body: "Hola, ¿me mandan la propuesta?",
      NumMedia: "0",
      ProfileName: "Lupita",
      WaId: `521${LUPITA.slice(2)}`,
    };
    const posted = await postTwilio(channel.id, credentials.authToken!, inbound, channel.signatureUrl!);
    expect(posted.status, await posted.clone().text()).toBe(200);
  } else {
    const seconds = opts.window === "closed" ? OLD_INBOUND_SECONDS : String(Math.floor(Date.now() / 1000));
    const delivery = metaBody(FIXTURES.text, channel.phoneNumberId!).replace(
      `"${OLD_INBOUND_SECONDS}"`,
      `"${seconds}"`,
    );
    const secret = provider === "meta" ? credentials.appSecret! : credentials.webhookSecret!;
    const posted = await postMeta(channel.id, secret, delivery, provider);
    expect(posted.status, await posted.clone().text()).toBe(200);
  }
  // The inbound message reaches the inbox through the object's mirror push (its alarm).
  await flushMirror(conversation(channel.id, LUPITA));
  const conversationId = await conversationUuid(channel.id, LUPITA);
  return { tenant, token, userId, channel, credentials, fakeKey, conversationId, waId: LUPITA };
}

export function send(
  conv: Pick<OpenConversation, "conversationId" | "token">,
  json: unknown,
  headers: Record<string, string> = {},
) {
  return api(`/v1/whatsapp/conversations/${conv.conversationId}/messages`, {
    method: "POST",
    token: conv.token,
    json,
    headers,
  });
}

/** A Meta status webhook for a message of this conversation (e.g. before the send's answer). */
export function metaStatusDelivery(phoneNumberId: string, messageId: string, status: string, waId = LUPITA): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "525587654321", phone_number_id: phoneNumberId },
              statuses: [
                { id: messageId, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: waId },
              ],
            },
          },
        ],
      },
    ],
  });
}

export const TEMPLATE = { name: "recordatorio_pago", language: "es_MX", parameters: ["Lupita", "$1,234.56 MXN"] };
export const CONTENT_SID = "HX0123456789abcdef0123456789abcdef";
export const DOCUMENT = {
  url: "https://files.example.mx/cotizaciones/COT-2026-00012.pdf",
  filename: "COT-2026-00012.pdf",
  caption: "Tu cotización COT-2026-00012",
};

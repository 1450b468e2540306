import { describe, expect, it } from "vitest";
import { api, createTenant, tokenFor } from "../../../test/support/harness.ts";
import { dialogChannel, metaChannel, twilioChannel } from "../../../test/support/whatsapp-fixtures.ts";
import {
  conversation,
  FIXTURES,
  metaBody,
  metaEscaped,
  postMeta,
  postTwilio,
} from "../../../test/support/whatsapp-deliveries.ts";
import type { Channel } from "../channels/channel-schema.ts";

type Credentials = Record<string, string>;

async function connect(body: { credentials: Credentials } & Record<string, unknown>) {
  const tenant = await createTenant();
  const token = await tokenFor(tenant, { role: "admin" });
  const res = await api("/v1/whatsapp/channels", { method: "POST", token, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return { tenant, channel: (await res.json()) as Channel, credentials: body.credentials };
}

// The fixtures' customers, as canonical wa_ids (the Mexican mobile "1" dropped).
const LUPITA = "525512345678";
const ROBERTO = "523398765432";

describe("WhatsApp webhooks: deliveries reach their conversations", () => {
  it("Meta: a signed text message → 200, stored once in the customer's conversation with the profile name", async () => {
    const { tenant, channel, credentials } = await connect(metaChannel());
    const body = metaBody(FIXTURES.text, channel.phoneNumberId!);
    const res = await postMeta(channel.id, credentials.appSecret!, body);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ received: true });

    const summary = await conversation(channel.id, LUPITA).summary();
    expect(summary).toMatchObject({
      tenantId: tenant.id,
      channelId: channel.id,
      waId: LUPITA,
      profileName: "Lupita Hernández",
      status: "open",
      messageCount: 1,
      unreadCount: 1,
      lastInboundAt: 1749416383000,
      windowExpiresAt: 1749416383000 + 24 * 3_600_000,
    });
    const found = await conversation(channel.id, LUPITA).getMessage(
      "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFDNBMDFGQUtFMDAwMDAwMDAwMQA=",
    );
    expect(found && "message" in found ? found.message.content : null).toMatchObject({
      text: "¿Tienen la cotización lista para mañana?",
    });
  });

  it("Meta's escaped JSON (\\uXXXX, \\/) and a relay's raw UTF-8 both verify, and are the same message", async () => {
    const { channel, credentials } = await connect(metaChannel());
    const raw = metaBody(FIXTURES.text, channel.phoneNumberId!);
    const escaped = metaEscaped(raw);
    expect(escaped).not.toBe(raw);
    expect((await postMeta(channel.id, credentials.appSecret!, escaped)).status).toBe(200);
    expect((await postMeta(channel.id, credentials.appSecret!, raw)).status).toBe(200);
    expect((await conversation(channel.id, LUPITA).summary())?.messageCount).toBe(1);
  });

  it("the same delivery 10× (at once) stores one copy", async () => {
    const { channel, credentials } = await connect(metaChannel());
    const body = metaBody(FIXTURES.text, channel.phoneNumberId!);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => (await postMeta(channel.id, credentials.appSecret!, body)).status),
    );
    expect(statuses).toEqual(Array(10).fill(200));
    const page = await conversation(channel.id, LUPITA).listMessages({ limit: 100 });
    expect(page.messages).toHaveLength(1);
  });

  it("every message type of a multi-message delivery lands in its sender's conversation", async () => {
    const { channel, credentials } = await connect(metaChannel());
    const res = await postMeta(channel.id, credentials.appSecret!, metaBody(FIXTURES.messages, channel.phoneNumberId!));
    expect(res.status, await res.clone().text()).toBe(200);
    const page = await conversation(channel.id, ROBERTO).listMessages({ limit: 100 });
    expect(new Set(page.messages.map((m) => m.type))).toEqual(
      new Set([
        "image",
        "document",
        "audio",
        "location",
        "contacts",
        "interactive",
        "button",
        "reaction",
        "order",
        "system",
        "unsupported",
      ]),
    );
  });

  it("one delivery naming 100 customers reaches 100 conversations (called a bounded number at a time)", async () => {
    const { channel, credentials } = await connect(metaChannel());
    const waIds = Array.from({ length: 100 }, (_, i) => `5255${String(10_000_000 + i)}`);
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "1",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "525541690000", phone_number_id: channel.phoneNumberId },
                messages: waIds.map((from, i) => ({
                  from,
                  id: `wamid.many.${i}`,
                  timestamp: "1749416383",
                  type: "text",
                  text: { body: `mensaje ${i}` },
                })),
              },
            },
          ],
        },
      ],
    });
    const res = await postMeta(channel.id, credentials.appSecret!, body);
    expect(res.status, await res.clone().text()).toBe(200);
    const counts = await Promise.all(
      waIds.map(async (w) => (await conversation(channel.id, w).summary())?.messageCount),
    );
    expect(counts).toEqual(Array(100).fill(1));
  });

  it("statuses for messages not seen yet are kept, by recipient", async () => {
    const { channel, credentials } = await connect(metaChannel());
    // The fixture's second change is another business number's (a URL accepts only its own): drop it.
    const own = {
      ...FIXTURES.statuses,
      entry: [{ ...FIXTURES.statuses.entry[0]!, changes: [FIXTURES.statuses.entry[0]!.changes[0]!] }],
    };
    const res = await postMeta(channel.id, credentials.appSecret!, metaBody(own, channel.phoneNumberId!));
    expect(res.status, await res.clone().text()).toBe(200);
    const failed = await conversation(channel.id, LUPITA).getMessage("wamid.OUTBOUND02");
    expect(failed).toMatchObject({ pendingStatuses: { failed: 1749416501000 }, errorCodes: ["131047"] });
  });

  it("360dialog: the Cloud API body signed with the channel's webhook secret", async () => {
    const { channel, credentials } = await connect(dialogChannel());
    const res = await postMeta(
      channel.id,
      credentials.webhookSecret!,
      metaBody(FIXTURES.text, channel.phoneNumberId!),
      "360dialog",
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await conversation(channel.id, LUPITA).summary())?.messageCount).toBe(1);
  });

  it("Twilio: an inbound message signed over the channel's signatureUrl → empty TwiML; its status callback", async () => {
    const { channel, credentials } = await connect(twilioChannel());
    const business = channel.sender!;
    const inbound = {
      MessageSid: "SM1a2b3c4d5e6f",
      AccountSid: channel.accountSid!,
      From: "whatsapp:+5215512345678",
      To: business,
      Body: "Hola, ¿me mandan la propuesta?",
      NumMedia: "0",
      ProfileName: "Lupita",
      WaId: "5215512345678",
    };
    const res = await postTwilio(channel.id, credentials.authToken!, inbound, channel.signatureUrl!);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/xml/);
    expect(await res.text()).toContain("<Response></Response>");
    expect(await conversation(channel.id, LUPITA).summary()).toMatchObject({ messageCount: 1, unreadCount: 1 });

    const status = {
      MessageSid: "SMoutbound01",
      AccountSid: channel.accountSid!,
      From: business,
      To: "whatsapp:+525512345678",
      MessageStatus: "delivered",
    };
    const cb = await postTwilio(channel.id, credentials.authToken!, status, channel.signatureUrl!);
    expect(cb.status, await cb.clone().text()).toBe(200);
    expect(await conversation(channel.id, LUPITA).getMessage("SMoutbound01")).toMatchObject({
      pendingStatuses: { delivered: expect.any(Number) },
    });
  });

  it("Twilio without a signatureUrl: the request URL is what is signed", async () => {
    const { channel, credentials } = await connect(twilioChannel({ signatureUrl: undefined }));
    const res = await postTwilio(channel.id, credentials.authToken!, {
      MessageSid: "SMnosigurl01",
      From: "whatsapp:+5215512345678",
      To: channel.sender!,
      Body: "hola",
      NumMedia: "0",
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it("Meta's subscription check echoes the challenge for the channel's verify token only", async () => {
    const { channel, credentials } = await connect(metaChannel());
    const path = (token: string) =>
      `/webhooks/whatsapp/meta/${channel.id}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;
    const ok = await api(path(credentials.verifyToken!));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await api(path(`${credentials.verifyToken!}x`));
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });
});

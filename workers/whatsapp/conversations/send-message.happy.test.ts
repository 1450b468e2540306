import { describe, expect, it } from "vitest";
import { api } from "../../../test/support/harness.ts";
import { conversation, postMeta } from "../../../test/support/whatsapp-deliveries.ts";
import {
  CONTENT_SID,
  DOCUMENT,
  LUPITA,
  TEMPLATE,
  fakeControl,
  fakeRequests,
  metaStatusDelivery,
  openConversation,
  send,
} from "../../../test/support/whatsapp-send.ts";
import type { SentMessage } from "./send-message.ts";

async function sent(res: Response): Promise<SentMessage> {
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as SentMessage;
}

describe.each(["meta", "360dialog"] as const)("%s: the Cloud API body", (provider) => {
  it("text, template and document: 201 with the stored message; the provider got exactly the Cloud API body", async () => {
    const conv = await openConversation(provider);

    const text = await sent(await send(conv, { type: "text", text: "Hola Lupita, ¿seguimos con la cotización?" }));
    expect(text).toMatchObject({
      conversationId: conv.conversationId,
      providerMessageId: expect.stringMatching(/^wamid\./),
      direction: "outbound",
      type: "text",
      status: null,
      content: { text: "Hola Lupita, ¿seguimos con la cotización?" },
      sentBy: conv.userId,
    });
    const template = await sent(await send(conv, { type: "template", template: TEMPLATE }));
    expect(template.content).toEqual({ template: TEMPLATE });
    const document = await sent(await send(conv, { type: "document", document: DOCUMENT }));
    expect(document.content).toEqual({
      text: DOCUMENT.caption,
      media: { url: DOCUMENT.url, filename: DOCUMENT.filename },
    });

    const received = await fakeRequests(provider, conv.fakeKey);
    expect(received.map((r) => r.status)).toEqual([200, 200, 200]);
    if (provider === "meta") {
      expect(received[0]!.path).toBe(`/meta/v21.0/${conv.channel.phoneNumberId}/messages`);
      expect(received[0]!.headers.authorization).toBe(`Bearer ${conv.credentials.accessToken}`);
    } else {
      expect(received[0]!.path).toBe("/360dialog/messages");
      expect(received[0]!.headers["d360-api-key"]).toBe(conv.credentials.apiKey);
    }
    const base = { messaging_product: "whatsapp", recipient_type: "individual", to: LUPITA };
    expect(received.map((r) => r.body)).toEqual([
      { ...base, type: "text", text: { body: "Hola Lupita, ¿seguimos con la cotización?", preview_url: false } },
      {
        ...base,
        type: "template",
        template: {
          name: "recordatorio_pago",
          language: { code: "es_MX" },
          components: [
            {
              type: "body",
              parameters: [
                { type: "text", text: "Lupita" },
                { type: "text", text: "$1,234.56 MXN" },
              ],
            },
          ],
        },
      },
      {
        ...base,
        type: "document",
        document: { link: DOCUMENT.url, filename: DOCUMENT.filename, caption: DOCUMENT.caption },
      },
    ]);

    const stub = conversation(conv.channel.id, LUPITA);
    expect(await stub.summary()).toMatchObject({ messageCount: 4, lastOutboundAt: expect.any(Number) });
    const found = await stub.getMessage(text.providerMessageId);
    expect(found && "message" in found ? found.message : null).toMatchObject({
      direction: "outbound",
      sentBy: conv.userId,
    });
  });
});

describe("twilio: the Messages form", () => {
  it("text, template (ContentSid + ContentVariables) and document (MediaUrl): 201; Basic auth with the channel's account", async () => {
    const conv = await openConversation("twilio");
    const text = await sent(await send(conv, { type: "text", text: "Hola Lupita" }));
    expect(text.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const template = await sent(
      await send(conv, { type: "template", template: { ...TEMPLATE, contentSid: CONTENT_SID } }),
    );
    expect(template.content).toEqual({ template: TEMPLATE });
    const variables = await sent(
      await send(conv, {
        type: "template",
        template: {
          name: TEMPLATE.name,
          language: "es_MX",
          contentSid: CONTENT_SID,
          variables: { "2": "$10.00 MXN", "1": "Lupe" },
        },
      }),
    );
    expect(variables.content?.template?.parameters).toEqual(["Lupe", "$10.00 MXN"]);
    await sent(await send(conv, { type: "document", document: DOCUMENT }));

    const received = await fakeRequests("twilio", conv.fakeKey);
    expect(received.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const auth = `Basic ${btoa(`${conv.channel.accountSid}:${conv.credentials.authToken}`)}`;
    expect(received.every((r) => r.headers.authorization === auth)).toBe(true);
    // Statuses come back to the channel's webhook, at the URL Twilio signs (its signatureUrl here).
    const address = {
      From: conv.channel.sender,
      To: `whatsapp:+${LUPITA}`,
      StatusCallback: conv.channel.signatureUrl,
    };
    expect(received.map((r) => r.body)).toEqual([
      { ...address, Body: "Hola Lupita" },
      {
        ...address,
        ContentSid: CONTENT_SID,
        ContentVariables: JSON.stringify({ "1": "Lupita", "2": "$1,234.56 MXN" }),
      },
      { ...address, ContentSid: CONTENT_SID, ContentVariables: JSON.stringify({ "2": "$10.00 MXN", "1": "Lupe" }) },
      { ...address, MediaUrl: DOCUMENT.url, Body: DOCUMENT.caption },
    ]);
  });
});

describe("sending: window, idempotency, statuses", () => {
  it("a template goes out after the 24-hour window closed", async () => {
    const conv = await openConversation("meta", { window: "closed" });
    await sent(await send(conv, { type: "template", template: TEMPLATE }));
    expect(await fakeRequests("meta", conv.fakeKey)).toHaveLength(1);
  });

  it("Idempotency-Key: the retry replays the first answer and the provider is called once", async () => {
    const conv = await openConversation("meta");
    const headers = { "idempotency-key": `send-${crypto.randomUUID()}` };
    const body = { type: "text", text: "Solo una vez" };
    const first = await sent(await send(conv, body, headers));
    const again = await send(conv, body, headers);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(first);
    expect(await fakeRequests("meta", conv.fakeKey)).toHaveLength(1);
    expect((await conversation(conv.channel.id, LUPITA).summary())?.messageCount).toBe(2);
  });

  it("Idempotency-Key: a refused send is replayed too, without a second provider call", async () => {
    const conv = await openConversation("meta");
    await fakeControl("/__fail", { provider: "meta", key: conv.fakeKey, code: 131026 });
    const headers = { "idempotency-key": `send-${crypto.randomUUID()}` };
    const first = await send(conv, { type: "text", text: "hola" }, headers);
    expect(first.status).toBe(422);
    const again = await send(conv, { type: "text", text: "hola" }, headers);
    expect(again.status).toBe(422);
    expect(again.headers.get("content-type")).toContain("application/problem+json");
    expect(await again.json()).toMatchObject({ code: "RECIPIENT_UNREACHABLE", providerCode: "131026" });
    expect(await fakeRequests("meta", conv.fakeKey)).toHaveLength(1);
  });

  it("statuses the provider's webhook delivered before the send's answer are applied to the sent message", async () => {
    const conv = await openConversation("meta");
    const wamid = `wamid.EARLY${crypto.randomUUID().replaceAll("-", "")}`;
    await fakeControl("/__next-id", { provider: "meta", key: conv.fakeKey, id: wamid });
    // The status webhook lands first (the provider can be faster than its own API answer).
    for (const status of ["sent", "delivered"]) {
      const res = await postMeta(
        conv.channel.id,
        conv.credentials.appSecret!,
        metaStatusDelivery(conv.channel.phoneNumberId!, wamid, status),
      );
      expect(res.status, await res.clone().text()).toBe(200);
    }
    const stub = conversation(conv.channel.id, LUPITA);
    expect(await stub.getMessage(wamid)).toMatchObject({
      pendingStatuses: { sent: expect.any(Number), delivered: expect.any(Number) },
    });

    const message = await sent(await send(conv, { type: "text", text: "¿Te llegó la cotización?" }));
    expect(message).toMatchObject({ providerMessageId: wamid, status: "delivered" });
    const found = await stub.getMessage(wamid);
    expect(found && "message" in found ? found.message.statusHistory : null).toEqual({
      sent: expect.any(Number),
      delivered: expect.any(Number),
    });
  });

  it("the route is in the OpenAPI document", async () => {
    const doc = (await (await api("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(doc.paths["/v1/whatsapp/conversations/{id}/messages"]).toHaveProperty("post");
  });
});

import { describe, expect, it } from "vitest";
import { api, tokenFor } from "../../../test/support/harness.ts";
import {
  conversationIdOf,
  deliverText,
  flushMirror,
  inbox,
  ingestText,
  LUPITA,
} from "../../../test/support/whatsapp-conversations.ts";
import { conversation } from "../../../test/support/whatsapp-deliveries.ts";
import type { Conversation, Message } from "./conversation-schema.ts";

type Page<T> = { data: T[]; nextCursor: string | null };

const ROBERTO = "523398765432";

describe("WhatsApp inbox", () => {
  it("lists conversations newest activity first, with keyset pages and the unread, status, tag and channel filters", async () => {
    const box = await inbox();
    const now = Date.now();
    const lupita = await ingestText(box, LUPITA, "l1", now - 60_000, "¿Me mandan la propuesta?", "Lupita");
    const roberto = await ingestText(box, ROBERTO, "r1", now - 30_000, "Gracias", "Roberto");
    await flushMirror(lupita);
    await flushMirror(roberto);
    const [lupitaId, robertoId] = [await conversationIdOf(box, LUPITA), await conversationIdOf(box, ROBERTO)];

    const all = (await (await api("/v1/whatsapp/conversations", { token: box.token })).json()) as Page<Conversation>;
    expect(all.data.map((c) => c.id)).toEqual([robertoId, lupitaId]);
    expect(all.data[1]).toMatchObject({
      id: lupitaId,
      channelId: box.channel.id,
      waId: LUPITA,
      status: "open",
      assignedTo: null,
      tags: [],
      profileName: "Lupita",
      unreadCount: 1,
      messageCount: 1,
      lastMessageAt: new Date(now - 60_000).toISOString(),
      lastMessagePreview: "¿Me mandan la propuesta?",
      windowExpiresAt: new Date(now - 60_000 + 24 * 3_600_000).toISOString(),
    });
    expect(all.data[1]!.contactId).toMatch(/^[0-9a-f-]{36}$/);
    expect(all.data[1]!.leadId).toMatch(/^[0-9a-f-]{36}$/);

    const first = (await (
      await api("/v1/whatsapp/conversations?limit=1", { token: box.token })
    ).json()) as Page<Conversation>;
    expect(first.data.map((c) => c.id)).toEqual([robertoId]);
    const second = (await (
      await api(`/v1/whatsapp/conversations?limit=1&cursor=${first.nextCursor}`, { token: box.token })
    ).json()) as Page<Conversation>;
    expect(second.data.map((c) => c.id)).toEqual([lupitaId]);
    expect(second.nextCursor).toBeNull();

    // Read Roberto's, tag and close Lupita's; the mirror follows.
    expect(
      (await api(`/v1/whatsapp/conversations/${robertoId}/read`, { method: "POST", token: box.token })).status,
    ).toBe(200);
    const tagged = await api(`/v1/whatsapp/conversations/${lupitaId}/tags`, {
      method: "PUT",
      token: box.token,
      json: { tags: [" cotización ", "urgente", "cotización"] },
    });
    expect(tagged.status).toBe(200);
    expect(((await tagged.json()) as Conversation).tags).toEqual(["cotización", "urgente"]);
    const closed = await api(`/v1/whatsapp/conversations/${lupitaId}/close`, { method: "POST", token: box.token });
    expect(((await closed.json()) as Conversation).status).toBe("closed");
    await flushMirror(lupita);
    await flushMirror(roberto);

    const ids = async (query: string) =>
      (
        (await (await api(`/v1/whatsapp/conversations?${query}`, { token: box.token })).json()) as Page<Conversation>
      ).data.map((c) => c.id);
    expect(await ids("unread=true")).toEqual([lupitaId]);
    expect(await ids("status=closed")).toEqual([lupitaId]);
    expect(await ids("status=open")).toEqual([robertoId]);
    expect(await ids(`tag=${encodeURIComponent("cotización")}`)).toEqual([lupitaId]);
    expect(await ids(`channelId=${box.channel.id}`)).toEqual([robertoId, lupitaId]);
    expect(await ids(`channelId=${crypto.randomUUID()}`)).toEqual([]);

    const reopened = await api(`/v1/whatsapp/conversations/${lupitaId}/reopen`, { method: "POST", token: box.token });
    expect(((await reopened.json()) as Conversation).status).toBe("open");
  });

  it("gets a conversation with the object's live figures, and assigns it to a user of the tenant", async () => {
    const box = await inbox();
    const stub = await ingestText(box, LUPITA, "l1", Date.now() - 1_000, "Hola", "Lupita");
    await flushMirror(stub);
    const id = await conversationIdOf(box);
    // A change the mirror has not caught up with yet is already in the answer.
    await stub.setTags(["vip"]);
    const got = await api(`/v1/whatsapp/conversations/${id}`, { token: box.token });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ id, tags: ["vip"], messageCount: 1, lastMessagePreview: "Hola" });

    const userId = crypto.randomUUID();
    // A user exists in the tenant once they have made a request.
    const agent = await tokenFor(box.tenant, { userId });
    expect((await api("/v1/whatsapp/conversations", { token: agent })).status).toBe(200);
    const assigned = await api(`/v1/whatsapp/conversations/${id}/assign`, {
      method: "POST",
      token: box.token,
      json: { userId },
    });
    expect(assigned.status, await assigned.clone().text()).toBe(200);
    expect(((await assigned.json()) as Conversation).assignedTo).toBe(userId);
    await flushMirror(stub);
    const mine = (await (
      await api(`/v1/whatsapp/conversations?assignedTo=${userId}`, { token: agent })
    ).json()) as Page<Conversation>;
    expect(mine.data.map((c) => c.id)).toEqual([id]);
    const unassigned = await api(`/v1/whatsapp/conversations/${id}/assign`, {
      method: "POST",
      token: box.token,
      json: { userId: null },
    });
    expect(((await unassigned.json()) as Conversation).assignedTo).toBeNull();
  });

  it("pages a conversation's messages from the object, and finds a message by provider id with its status history", async () => {
    const box = await inbox();
    const t0 = Date.now() - 3_600_000;
    const stub = await ingestText(box, LUPITA, "in-1", t0, "Hola", "Lupita");
    await stub.recordOutbound({
      providerMessageId: "out-1",
      type: "document",
      to: LUPITA,
      text: "Su cotización",
      media: {
        url: "https://files.example.mx/cotizacion.pdf",
        filename: "cotizacion.pdf",
        mimeType: "application/pdf",
      },
      timestamp: t0 + 60_000,
      sentBy: crypto.randomUUID(),
    });
    await ingestText(box, LUPITA, "in-2", t0 + 120_000, "¡Gracias!");
    await stub.ingest({
      tenantId: box.tenant.id,
      channelId: box.channel.id,
      waId: LUPITA,
      messages: [],
      statuses: [
        {
          phoneNumberId: box.channel.phoneNumberId!,
          providerMessageId: "out-1",
          recipientId: LUPITA,
          status: "delivered",
          providerStatus: "delivered",
          timestamp: t0 + 90_000,
          errors: [],
        },
      ],
    });
    await flushMirror(stub);
    const id = await conversationIdOf(box);

    const first = (await (
      await api(`/v1/whatsapp/conversations/${id}/messages?limit=2`, { token: box.token })
    ).json()) as Page<Message>;
    expect(first.data.map((m) => m.providerMessageId)).toEqual(["in-2", "out-1"]);
    expect(first.data[1]).toEqual({
      providerMessageId: "out-1",
      direction: "outbound",
      type: "document",
      from: "business",
      to: "customer",
      text: "Su cotización · cotizacion.pdf",
      media: {
        url: "https://files.example.mx/cotizacion.pdf",
        filename: "cotizacion.pdf",
        mimeType: "application/pdf",
      },
      status: "delivered",
      errorCodes: [],
      timestamp: new Date(t0 + 60_000).toISOString(),
    });
    const rest = (await (
      await api(`/v1/whatsapp/conversations/${id}/messages?limit=2&cursor=${first.nextCursor}`, { token: box.token })
    ).json()) as Page<Message>;
    expect(rest.data.map((m) => [m.providerMessageId, m.from, m.to])).toEqual([["in-1", "customer", "business"]]);
    expect(rest.nextCursor).toBeNull();

    const found = await api("/v1/whatsapp/messages/out-1", { token: box.token });
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({
      providerMessageId: "out-1",
      conversationId: id,
      status: "delivered",
      statusHistory: { delivered: new Date(t0 + 90_000).toISOString() },
      pending: false,
    });
  });

  it("a message known only from a status webhook is found by id, with its pending statuses", async () => {
    const box = await inbox();
    await deliverText(box);
    const stub = conversation(box.channel.id, LUPITA);
    await stub.ingest({
      tenantId: box.tenant.id,
      channelId: box.channel.id,
      waId: LUPITA,
      messages: [],
      statuses: [
        {
          phoneNumberId: box.channel.phoneNumberId!,
          providerMessageId: "wamid.sent-elsewhere",
          recipientId: LUPITA,
          status: "delivered",
          providerStatus: "delivered",
          timestamp: Date.now(),
          errors: [],
        },
      ],
    });
    await flushMirror(stub);
    const found = await api("/v1/whatsapp/messages/wamid.sent-elsewhere", { token: box.token });
    expect(found.status, await found.clone().text()).toBe(200);
    expect(await found.json()).toMatchObject({
      providerMessageId: "wamid.sent-elsewhere",
      conversationId: await conversationIdOf(box, LUPITA),
      pending: true,
      statusHistory: { delivered: expect.any(String) },
    });
  });

  it("a delivery through the webhook reaches the inbox", async () => {
    const box = await inbox();
    await deliverText(box);
    await flushMirror(conversation(box.channel.id, LUPITA));
    const list = (await (await api("/v1/whatsapp/conversations", { token: box.token })).json()) as Page<Conversation>;
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ waId: LUPITA, profileName: "Lupita Hernández", unreadCount: 1 });
  });
});

import { describe, expect, it } from "vitest";
import { conversationUuid } from "../../../core/whatsapp/conversation-id.ts";
import { api, ownerSql, problem, tokenFor } from "../../../test/support/harness.ts";
import { flushMirror } from "../../../test/support/whatsapp-conversations.ts";
import { conversation } from "../../../test/support/whatsapp-deliveries.ts";
import {
  CONTENT_SID,
  TEMPLATE,
  connectChannel,
  fakeControl,
  fakeRequests,
  openConversation,
  type ConnectedChannel,
} from "../../../test/support/whatsapp-send.ts";
import type { SentMessage } from "./send-message.ts";

// POST /v1/whatsapp/conversations: the first message to a customer who never wrote.

function start(ch: Pick<ConnectedChannel, "token" | "channel">, body: Record<string, unknown>, key?: string) {
  return api("/v1/whatsapp/conversations", {
    method: "POST",
    token: ch.token,
    json: { channelId: ch.channel.id, template: TEMPLATE, ...body },
    headers: key ? { "idempotency-key": key } : {},
  });
}

const NEW_CUSTOMER = "525598765432";

describe("starting a conversation", () => {
  it("a template to a new number: sent, then the conversation, a contact and a lead with source WhatsApp", async () => {
    const ch = await connectChannel("meta");
    const res = await start(ch, { to: "55 9876 5432" });
    expect(res.status, await res.clone().text()).toBe(201);
    const sent = (await res.json()) as SentMessage;
    const conversationId = await conversationUuid(ch.channel.id, NEW_CUSTOMER);
    expect(sent).toMatchObject({ conversationId, direction: "outbound", type: "template", sentBy: ch.userId });

    const [request] = await fakeRequests("meta", ch.fakeKey);
    expect(request!.body).toMatchObject({ to: NEW_CUSTOMER, type: "template" });

    const stub = conversation(ch.channel.id, NEW_CUSTOMER);
    expect(await stub.summary()).toMatchObject({ messageCount: 1, windowExpiresAt: null, status: "open" });
    await flushMirror(stub);
    const got = await api(`/v1/whatsapp/conversations/${conversationId}`, { token: ch.token });
    expect(got.status).toBe(200);
    const row = (await got.json()) as { contactId: string | null; leadId: string | null; messageCount: number };
    expect(row.messageCount).toBe(1);
    expect(row.contactId).not.toBeNull();
    const contact = await api(`/v1/contacts/${row.contactId}`, { token: ch.token });
    expect(await contact.json()).toMatchObject({ phone: `+${NEW_CUSTOMER}` });
    const [lead] =
      await ownerSql`select s.name as source from leads l join lead_sources s on s.id = l.source_id where l.id = ${row.leadId}`;
    expect(lead?.source).toBe("WhatsApp");

    // The window is still closed: free-form text is refused until the customer answers.
    const text = await api(`/v1/whatsapp/conversations/${conversationId}/messages`, {
      method: "POST",
      token: ch.token,
      json: { type: "text", text: "hola" },
    });
    expect(text.status).toBe(422);
    expect((await problem(text)).code).toBe("WINDOW_CLOSED");
  });

  it("to a contact or a customer: their number (the customer's WhatsApp number first); no new contact or lead", async () => {
    const ch = await connectChannel("twilio");
    const manager = await tokenFor(ch.tenant, { role: "manager" });
    const contact = await api("/v1/contacts", {
      method: "POST",
      token: manager,
      json: { firstName: "Rosa", phone: "+52 1 33 1234 5678" },
    });
    expect(contact.status, await contact.clone().text()).toBe(201);
    const contactId = ((await contact.json()) as { id: string }).id;
    const customer = await api("/v1/customers", {
      method: "POST",
      token: manager,
      json: { razonSocial: "FERRETERIA LA PAZ", phone: "8112345678", whatsappPhone: "8187654321" },
    });
    expect(customer.status, await customer.clone().text()).toBe(201);
    const customerId = ((await customer.json()) as { id: string }).id;

    const template = { ...TEMPLATE, contentSid: CONTENT_SID };
    expect((await start(ch, { contactId, template })).status).toBe(201);
    expect((await start(ch, { customerId, template })).status).toBe(201);
    const received = await fakeRequests("twilio", ch.fakeKey);
    expect(received.map((r) => (r.body as Record<string, string>).To)).toEqual([
      "whatsapp:+523312345678",
      "whatsapp:+528187654321",
    ]);

    const stub = conversation(ch.channel.id, "523312345678");
    await flushMirror(stub);
    const id = await conversationUuid(ch.channel.id, "523312345678");
    const row = (await (await api(`/v1/whatsapp/conversations/${id}`, { token: ch.token })).json()) as {
      contactId: string;
      leadId: string | null;
    };
    expect(row.contactId).toBe(contactId);
    expect(row.leadId).toBeNull();
  });

  it("into an existing conversation: the same conversation, one more message", async () => {
    const conv = await openConversation("meta");
    const res = await start(conv, { to: `+${conv.waId}` });
    expect(res.status).toBe(201);
    expect(((await res.json()) as SentMessage).conversationId).toBe(conv.conversationId);
    expect((await conversation(conv.channel.id, conv.waId).summary())?.messageCount).toBe(2);
  });

  it("an Idempotency-Key replays the first answer and sends once", async () => {
    const ch = await connectChannel("360dialog");
    const key = crypto.randomUUID();
    const first = await start(ch, { to: "5598765432" }, key);
    const again = await start(ch, { to: "5598765432" }, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    expect(await fakeRequests("360dialog", ch.fakeKey)).toHaveLength(1);
  });
});

describe("starting a conversation: refusals", () => {
  it("a number the provider cannot reach leaves no conversation, contact or lead behind", async () => {
    const ch = await connectChannel("meta");
    await fakeControl("/__fail", { provider: "meta", key: ch.fakeKey, code: 131026 });
    const res = await start(ch, { to: "+52 55 9876 5432" });
    expect(res.status).toBe(422);
    expect((await problem(res)).code).toBe("RECIPIENT_UNREACHABLE");
    expect(await conversation(ch.channel.id, NEW_CUSTOMER).summary()).toBeNull();
    const [count] = await ownerSql`select count(*)::int as n from contacts where tenant_id = ${ch.tenant.id}`;
    expect(count?.n).toBe(0);
  });

  it("bad recipients and channels → 422/400 naming the field; nothing sent", async () => {
    const ch = await connectChannel("meta");
    const other = await connectChannel("meta");
    const manager = await tokenFor(ch.tenant, { role: "manager" });
    const noPhone = await api("/v1/contacts", { method: "POST", token: manager, json: { firstName: "Sin Tel" } });
    const noPhoneId = ((await noPhone.json()) as { id: string }).id;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ to: "123" }, 422, "body.to"],
      [{ to: "+52 (55) abc" }, 422, "body.to"],
      [{ contactId: noPhoneId }, 422, "body.contactId"],
      [{ contactId: crypto.randomUUID() }, 422, "body.contactId"],
      [{ customerId: crypto.randomUUID() }, 422, "body.customerId"],
      [{ channelId: other.channel.id, to: "5598765432" }, 422, "body.channelId"],
      [{ to: "5598765432", contactId: noPhoneId }, 400, ""],
      [{}, 400, ""],
      [{ to: "5598765432", template: { ...TEMPLATE, contentSid: CONTENT_SID } }, 422, "body.template.contentSid"],
    ];
    for (const [body, status, path] of cases) {
      const res = await start(ch, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const p = await problem(res);
      if (path) expect(p.errors?.[0]?.path, JSON.stringify(body)).toBe(path);
    }
    expect(await fakeRequests("meta", ch.fakeKey)).toHaveLength(0);
  });
});

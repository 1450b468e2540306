// A tenant with a WhatsApp channel and conversations that reached the Postgres mirror, for the
// mirror and inbox suites.
import { runDurableObjectAlarm } from "cloudflare:test";
import { expect } from "vitest";
import { conversationUuid } from "../../core/whatsapp/conversation-id.ts";
import type { ConversationDO, InboundContent } from "../../durable-objects/conversation.ts";
import type { Channel } from "../../workers/whatsapp/channels/channel-schema.ts";
import { api, createTenant, tokenFor, type TestTenant } from "./harness.ts";
import { conversation, FIXTURES, metaBody, postMeta } from "./whatsapp-deliveries.ts";
import { metaChannel } from "./whatsapp-fixtures.ts";

/** The text fixture's customer (canonical wa_id) and E.164 phone. */
export const LUPITA = "525512345678";
export const LUPITA_PHONE = "+525512345678";

export interface Inbox {
  tenant: TestTenant;
  token: string;
  channel: Channel;
  appSecret: string;
}

export async function inbox(): Promise<Inbox> {
  const tenant = await createTenant();
  const token = await tokenFor(tenant, { role: "admin" });
  const body = metaChannel();
  const res = await api("/v1/whatsapp/channels", { method: "POST", token, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return { tenant, token, channel: (await res.json()) as Channel, appSecret: body.credentials.appSecret };
}

/** Posts the signed text fixture (Lupita's "¿Tienen la cotización…?") to the channel's webhook. */
export async function deliverText(box: Inbox): Promise<void> {
  const res = await postMeta(box.channel.id, box.appSecret, metaBody(FIXTURES.text, box.channel.phoneNumberId!));
  expect(res.status, await res.clone().text()).toBe(200);
}

/** A customer's text straight into its object (as the webhook would), e.g. a second conversation. */
export async function ingestText(
  box: Inbox,
  waId: string,
  id: string,
  timestamp: number,
  text = `hola ${id}`,
  name?: string,
): Promise<DurableObjectStub<ConversationDO>> {
  const stub = conversation(box.channel.id, waId);
  const content: InboundContent = { text };
  await stub.ingest({
    tenantId: box.tenant.id,
    channelId: box.channel.id,
    waId,
    ...(name ? { profile: { phoneNumberId: box.channel.phoneNumberId!, waId, name } } : {}),
    messages: [
      {
        phoneNumberId: box.channel.phoneNumberId!,
        providerMessageId: id,
        from: waId,
        timestamp,
        type: "text",
        ...content,
      },
    ],
    statuses: [],
  });
  return stub;
}

/**
 * Runs the object's alarm until its mirror queue is empty (the runtime may be running the same
 * alarm on its own: the push is idempotent either way). Fails after `timeoutMs`.
 */
export async function flushMirror(stub: DurableObjectStub<ConversationDO>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await stub.pendingMirror(1)).length === 0) return;
    await runDurableObjectAlarm(stub);
    if ((await stub.pendingMirror(1)).length === 0) return;
    if (Date.now() > deadline) throw new Error("the mirror queue did not drain");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function conversationIdOf(box: Inbox, waId = LUPITA): Promise<string> {
  return conversationUuid(box.channel.id, waId);
}

// The Postgres mirror of the ConversationDOs, end to end in workerd against the real database:
// signed deliveries → the object → its alarm → rows in Postgres (conversation, messages, first-sight
// contact and lead, events), idempotent under redelivery, all-or-nothing when a push dies, and never
// rolled back by an older snapshot.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationUuid } from "../core/whatsapp/conversation-id.ts";
import type { Env } from "../platform/env.ts";
import { testEnv } from "../test/support/env.ts";
import { api, createTenant, ownerSql } from "../test/support/harness.ts";
import { conversation } from "../test/support/whatsapp-deliveries.ts";
import {
  deliverText,
  flushMirror,
  inbox,
  ingestText,
  LUPITA,
  LUPITA_PHONE,
} from "../test/support/whatsapp-conversations.ts";
import type { ConversationDO, MirrorRow } from "./conversation.ts";
import {
  MIRROR_FAILURES_KEY,
  MIRROR_RETRY_MAX_MS,
  pushMirror,
  type MirrorSource,
  type MirrorState,
} from "./conversation-mirror.ts";

/** Failure counts for pushes run by hand (outside the object's own storage). */
function memoryState(): MirrorState {
  const values = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => values.get(key) as T | undefined,
    put: async <T>(key: string, value: T) => void values.set(key, value),
    delete: async (key: string) => values.delete(key),
  };
}

async function outboxTypes(tenantId: string): Promise<string[]> {
  // Without the channel's own events (connecting the channel in the set-up).
  const rows =
    await ownerSql`select type from outbox where tenant_id = ${tenantId} and type not like 'WhatsApp.Channel%' order by type`;
  return rows.map((r) => String(r.type));
}

async function counts(tenantId: string) {
  const [row] = await ownerSql`select
      (select count(*)::int from whatsapp_conversations where tenant_id = ${tenantId}) as conversations,
      (select count(*)::int from whatsapp_messages where tenant_id = ${tenantId}) as messages,
      (select count(*)::int from contacts where tenant_id = ${tenantId}) as contacts,
      (select count(*)::int from leads where tenant_id = ${tenantId}) as leads,
      (select count(*)::int from lead_sources where tenant_id = ${tenantId}) as sources,
      (select count(*)::int from outbox where tenant_id = ${tenantId} and type not like 'WhatsApp.Channel%') as events`;
  return row as Record<string, number>;
}

describe("WhatsApp mirror: deliveries reach Postgres", () => {
  it("a first message: the conversation, its message, a new contact and lead (source WhatsApp), each event once", async () => {
    const box = await inbox();
    await deliverText(box);
    const stub = conversation(box.channel.id, LUPITA);
    await flushMirror(stub);

    const id = await conversationUuid(box.channel.id, LUPITA);
    const [row] = await ownerSql`select * from whatsapp_conversations where id = ${id}`;
    expect(row).toMatchObject({
      tenant_id: box.tenant.id,
      channel_id: box.channel.id,
      wa_id: LUPITA,
      provider: "meta",
      phone: LUPITA_PHONE,
      profile_name: "Lupita Hernández",
      status: "open",
      message_count: 1,
      unread_count: 1,
      // The fixture's message (June 2025) is past the 90-day body retention: no text is mirrored.
      last_message_preview: null,
    });
    expect(new Date(String(row!.window_expires_at)).getTime()).toBe(1749416383000 + 24 * 3_600_000);

    const [contact] = await ownerSql`select * from contacts where id = ${row!.contact_id}`;
    expect(contact).toMatchObject({ tenant_id: box.tenant.id, first_name: "Lupita Hernández", phone: LUPITA_PHONE });
    const [lead] =
      await ownerSql`select l.*, s.name as source_name from leads l join lead_sources s on s.id = l.source_id
                                  where l.id = ${row!.lead_id}`;
    expect(lead).toMatchObject({
      contact_id: contact!.id,
      owner_id: null,
      title: "WhatsApp: Lupita Hernández",
      source_name: "WhatsApp",
      status: "new",
    });

    const messages = await ownerSql`select * from whatsapp_messages where conversation_id = ${id}`;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ direction: "inbound", type: "text", text: null, status: null });
    expect(new Date(String(messages[0]!.message_at)).getTime()).toBe(1749416383000);

    expect(await outboxTypes(box.tenant.id)).toEqual([
      "Contact.Created",
      "Lead.Created",
      "WhatsApp.ConversationStarted",
      "WhatsApp.MessageReceived",
    ]);
    const [created] =
      await ownerSql`select event from outbox where tenant_id = ${box.tenant.id} and type = 'Contact.Created'`;
    expect((created!.event as { data: { phone: string } }).data.phone).toBe(LUPITA_PHONE);

    // The same delivery ten times more (at once): nothing new anywhere.
    const before = await counts(box.tenant.id);
    expect(before).toMatchObject({ conversations: 1, messages: 1, contacts: 1, leads: 1, sources: 1, events: 4 });
    await Promise.all(Array.from({ length: 10 }, () => deliverText(box)));
    await flushMirror(stub);
    expect(await counts(box.tenant.id)).toEqual(before);
  });

  it("a customer whose phone is already a contact is linked to it: no new contact, no lead", async () => {
    const box = await inbox();
    const res = await api("/v1/contacts", {
      method: "POST",
      token: box.token,
      json: { firstName: "Guadalupe", lastName: "Hernández", phone: "55 1234 5678" },
    });
    expect(res.status).toBe(201);
    const existing = (await res.json()) as { id: string };
    await deliverText(box);
    await flushMirror(conversation(box.channel.id, LUPITA));

    const [row] =
      await ownerSql`select contact_id, lead_id from whatsapp_conversations where tenant_id = ${box.tenant.id}`;
    expect(row).toEqual({ contact_id: existing.id, lead_id: null });
    expect(await counts(box.tenant.id)).toMatchObject({ contacts: 1, leads: 0 });
    expect(await outboxTypes(box.tenant.id)).toEqual([
      "Contact.Created", // the API's own, for the contact created above
      "WhatsApp.ConversationStarted",
      "WhatsApp.MessageReceived",
    ]);
  });

  it("outbound messages and their statuses; a status for a message not mirrored yet leaves a placeholder", async () => {
    const box = await inbox();
    const t0 = Date.now() - 3_600_000;
    const stub = await ingestText(box, LUPITA, "in-1", t0, "Hola", "Lupita");
    const userId = crypto.randomUUID();
    await stub.recordOutbound({
      providerMessageId: "out-1",
      type: "text",
      to: LUPITA,
      text: "¡Hola! Aquí está su cotización",
      timestamp: t0 + 60_000,
      sentBy: userId,
    });
    const status = (s: "delivered" | "read", at: number) => ({
      phoneNumberId: box.channel.phoneNumberId!,
      providerMessageId: "out-1",
      recipientId: LUPITA,
      status: s,
      providerStatus: s,
      timestamp: at,
      errors: [],
    });
    await stub.ingest({
      tenantId: box.tenant.id,
      channelId: box.channel.id,
      waId: LUPITA,
      messages: [],
      statuses: [status("read", t0 + 180_000), status("delivered", t0 + 120_000)],
    });
    await flushMirror(stub);
    const id = await conversationUuid(box.channel.id, LUPITA);
    const [out] =
      await ownerSql`select * from whatsapp_messages where conversation_id = ${id} and provider_message_id = 'out-1'`;
    expect(out).toMatchObject({
      direction: "outbound",
      type: "text",
      text: "¡Hola! Aquí está su cotización",
      status: "read",
      sent_by: userId,
    });
    expect(new Date(String(out!.status_at)).getTime()).toBe(t0 + 180_000);
    const [conv] =
      await ownerSql`select unread_count, last_message_preview from whatsapp_conversations where id = ${id}`;
    expect(conv).toEqual({ unread_count: 0, last_message_preview: "¡Hola! Aquí está su cotización" });

    // A status row ahead of its message (what the object queues when it learns of a message from
    // its statuses first): a placeholder the message lookup can find; a lower status later does not win.
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      const summary = (await instance.summary())!;
      const rows = (seq: number, s: "read" | "sent"): MirrorRow[] => [
        {
          seq,
          createdAt: Date.now(),
          kind: "status",
          payload: {
            providerMessageId: "elsewhere-1",
            status: s,
            previousStatus: null,
            at: Date.UTC(2026, 0, 15, 13),
            errorCodes: [],
            statusHistory: {},
          },
        },
        { seq: seq + 1, createdAt: Date.now(), kind: "conversation", payload: summary },
      ];
      for (const [seq, s] of [
        [1_000_000, "read"],
        [1_000_010, "sent"],
      ] as const) {
        let acked = false;
        const next = await pushMirror({
          source: {
            pendingMirror: async () => (acked ? [] : rows(seq, s)),
            ackMirror: async () => {
              acked = true;
              return 2;
            },
            summary: () => instance.summary(),
          },
          state: memoryState(),
          env: testEnv,
          waitUntil: () => undefined,
        });
        expect(next).toBeNull();
      }
      // A change that arrives while a push is out (after its page was read) is not left behind:
      // the push answers "again now" instead of "done".
      let reads = 0;
      const again = await pushMirror({
        source: {
          pendingMirror: async () => (reads++ === 0 ? rows(1_000_020, "read") : rows(1_000_030, "read")),
          ackMirror: async () => 2,
          summary: () => instance.summary(),
        },
        state: memoryState(),
        env: testEnv,
        waitUntil: () => undefined,
        now: () => 42,
      });
      expect(again).toBe(42);
    });
    const [placeholder] = await ownerSql`select direction, type, status from whatsapp_messages
                                         where conversation_id = ${id} and provider_message_id = 'elsewhere-1'`;
    expect(placeholder).toEqual({ direction: "outbound", type: null, status: "read" });
  });

  it("an older snapshot never overwrites a newer one", async () => {
    const box = await inbox();
    const stub = await ingestText(box, LUPITA, "in-1", Date.UTC(2026, 0, 15, 12));
    await flushMirror(stub);
    await stub.setTags(["nuevo"]);
    await stub.setStatus("pending");
    await flushMirror(stub);
    const id = await conversationUuid(box.channel.id, LUPITA);
    const [now] = await ownerSql`select status, tags, mirrored_seq from whatsapp_conversations where id = ${id}`;
    expect(now).toMatchObject({ status: "pending", tags: ["nuevo"] });

    const stale = async (seq: number) =>
      runInDurableObject(stub, async (instance: ConversationDO) => {
        const summary = (await instance.summary())!;
        const source: MirrorSource = {
          pendingMirror: async () => [
            { seq, createdAt: Date.now(), kind: "conversation", payload: { ...summary, status: "closed", tags: [] } },
          ],
          ackMirror: async () => 0,
          summary: () => instance.summary(),
        };
        return pushMirror({
          source,
          state: memoryState(),
          env: testEnv,
          waitUntil: () => undefined,
        });
      });
    await stale(1);
    await stale(Number(now!.mirrored_seq));
    const [after] = await ownerSql`select status, tags, mirrored_seq from whatsapp_conversations where id = ${id}`;
    expect(after).toEqual(now);
    // A newer one does apply.
    await stale(Number(now!.mirrored_seq) + 1);
    const [newer] = await ownerSql`select status, tags from whatsapp_conversations where id = ${id}`;
    expect(newer).toEqual({ status: "closed", tags: [] });
  });
});

describe("WhatsApp mirror: a push that dies", () => {
  it("keeps every change in the object, backs off, and heals with nothing lost or duplicated", async () => {
    const tenant = await createTenant();
    // The channel row is missing at first: the batch writes the contact, the lead and their events,
    // then fails on the conversation (no channel to take the provider from) and rolls back whole.
    const channelId = crypto.randomUUID();
    const stub = conversation(channelId, LUPITA);
    const message = (id: string, t: number) => ({
      phoneNumberId: "106540352242922",
      providerMessageId: id,
      from: LUPITA,
      timestamp: t,
      type: "text" as const,
      text: `mensaje ${id}`,
    });
    const deliver = (id: string, t: number) =>
      stub.ingest({
        tenantId: tenant.id,
        channelId,
        waId: LUPITA,
        profile: { phoneNumberId: "106540352242922", waId: LUPITA, name: "Lupita" },
        messages: [message(id, t)],
        statuses: [],
      });
    const t0 = Date.now() - 3_600_000;
    await deliver("m1", t0);
    await runDurableObjectAlarm(stub);
    await deliver("m2", t0 + 60_000);
    await deliver("m1", t0); // a redelivery while the mirror is down
    await runDurableObjectAlarm(stub);

    const pending = (await stub.pendingMirror(1_000)) as MirrorRow[];
    expect(pending.filter((r) => r.kind === "message").map((r) => r.payload)).toMatchObject([
      { providerMessageId: "m1" },
      { providerMessageId: "m2" },
    ]);
    expect(await counts(tenant.id)).toMatchObject({ conversations: 0, messages: 0, contacts: 0, leads: 0, events: 0 });
    const backoff = await runInDurableObject(stub, async (_i: ConversationDO, state) => ({
      failures: await state.storage.get<number>(MIRROR_FAILURES_KEY),
      alarm: await state.storage.getAlarm(),
    }));
    expect(backoff.failures).toBeGreaterThanOrEqual(2);
    expect(backoff.alarm).not.toBeNull();
    expect(backoff.alarm!).toBeLessThanOrEqual(Date.now() + MIRROR_RETRY_MAX_MS);

    // The database unreachable: the same, through an environment whose database does not answer.
    const unreachable: Env = { ...testEnv, DATABASE_URL: "postgres://crm:crm@127.0.0.1:1/crm" };
    const retryAt = await runInDurableObject(stub, (instance: ConversationDO, state) =>
      pushMirror({ source: instance, state: state.storage, env: unreachable, waitUntil: () => undefined }),
    );
    expect(retryAt).not.toBeNull();
    expect(retryAt!).toBeGreaterThan(Date.now());
    expect((await stub.pendingMirror(1_000)).length).toBe(pending.length);

    // Heal: the channel appears; the next alarm pushes everything once.
    await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${tenant.id}, true)`,
      ownerSql`insert into whatsapp_channels (id, tenant_id, provider, phone_number_id, credentials_envelope)
               values (${channelId}, ${tenant.id}, 'meta', ${String(Date.now()) + String(Math.random()).slice(2, 8)}, 'sealed')`,
    ]);
    await flushMirror(stub);
    expect(await counts(tenant.id)).toMatchObject({
      conversations: 1,
      messages: 2,
      contacts: 1,
      leads: 1,
      sources: 1,
      events: 5,
    });
    expect(await outboxTypes(tenant.id)).toEqual([
      "Contact.Created",
      "Lead.Created",
      "WhatsApp.ConversationStarted",
      "WhatsApp.MessageReceived",
      "WhatsApp.MessageReceived",
    ]);
    const [row] =
      await ownerSql`select message_count, last_message_preview from whatsapp_conversations where tenant_id = ${tenant.id}`;
    expect(row).toEqual({ message_count: 2, last_message_preview: "mensaje m2" });
    expect(
      await runInDurableObject(stub, (_i: ConversationDO, state) => state.storage.get<number>(MIRROR_FAILURES_KEY)),
    ).toBeUndefined();
  });
});

// ConversationDO in workerd: idempotent ingest of every parsed message type, status folding in any
// order (and before the message), unread and the service window, concurrency, the mirror queue,
// the retention alarm, identity and tag checks. No database: the object needs none.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import metaMessages from "../core/whatsapp/fixtures/meta-messages.json?raw";
import metaStatuses from "../core/whatsapp/fixtures/meta-statuses.json?raw";
import metaText from "../core/whatsapp/fixtures/meta-text.json?raw";
import { parseMetaWebhook } from "../core/whatsapp/meta-payload.ts";
import type { DeliveryStatus, InboundMessage, NormalizedDelivery, StatusUpdate } from "../core/whatsapp/events.ts";
import {
  BODY_RETENTION_MS,
  conversationErrorCode,
  foldConversation,
  SERVICE_WINDOW_MS,
  type ConversationFact,
} from "../core/whatsapp/conversation-rules.ts";
import { conversationUuid } from "../core/whatsapp/conversation-id.ts";
import { uuidV5 } from "../core/events/name-based-id.ts";
import type { Env } from "../platform/env.ts";
import { conversationStub } from "./conversation-client.ts";
import {
  CONVERSATION_EVENT_NAMESPACE,
  type ConversationDO,
  type IngestBatch,
  type MirrorRow,
  type OutboundMessageInput,
} from "./conversation.ts";

const testEnv = env as unknown as Env;
const tenantId = crypto.randomUUID();
const T0 = Date.UTC(2026, 0, 15, 12);

function open(waId = "5215512345678") {
  const channelId = crypto.randomUUID();
  return { channelId, waId, stub: conversationStub(testEnv, channelId, waId) };
}

function parsed(raw: string): NormalizedDelivery {
  const r = parseMetaWebhook(raw);
  if (!r.ok) throw new Error(r.message);
  return r.delivery;
}

function inbound(waId: string, id: string, timestamp: number, text = `hola ${id}`): InboundMessage {
  return { phoneNumberId: "106540352242922", providerMessageId: id, from: waId, timestamp, type: "text", text };
}

function status(
  waId: string,
  id: string,
  s: DeliveryStatus,
  timestamp: number,
  errors: StatusUpdate["errors"] = [],
): StatusUpdate {
  return {
    phoneNumberId: "106540352242922",
    providerMessageId: id,
    recipientId: waId,
    status: s,
    providerStatus: s,
    timestamp,
    errors,
  };
}

function outbound(waId: string, id: string, timestamp: number): OutboundMessageInput {
  return { providerMessageId: id, type: "text", to: waId, text: `respuesta ${id}`, timestamp, sentBy: "user-1" };
}

function batch(c: { channelId: string; waId: string }, parts: Partial<IngestBatch> = {}): IngestBatch {
  return { tenantId, channelId: c.channelId, waId: c.waId, messages: [], statuses: [], ...parts };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

async function allMirror(stub: DurableObjectStub<ConversationDO>): Promise<MirrorRow[]> {
  return (await stub.pendingMirror(1_000)) as MirrorRow[];
}

describe("ingest: every parsed message type", () => {
  it("stores each message of the Meta fixtures once, with its content", async () => {
    const d = parsed(metaMessages);
    const waId = d.messages[0]!.from;
    const c = open(waId);
    const profile = d.contacts.find((p) => p.waId === waId);
    const r = await c.stub.ingest(batch(c, { messages: d.messages, ...(profile ? { profile } : {}) }));
    expect(r).toEqual({
      conversationStarted: true,
      messagesStored: 13,
      duplicates: 0,
      statusesApplied: 0,
      statusesPending: 0,
    });
    const page = await c.stub.listMessages({ limit: 100 });
    expect(page.messages).toHaveLength(13);
    expect(new Set(page.messages.map((m) => m.type))).toEqual(new Set(d.messages.map((m) => m.type)));
    for (const m of d.messages) {
      const { phoneNumberId: _p, providerMessageId, from: _f, timestamp, type, ...content } = m;
      const found = await c.stub.getMessage(providerMessageId);
      expect(found && "message" in found ? found.message : found).toMatchObject({
        providerMessageId,
        direction: "inbound",
        type,
        timestamp,
        content,
        status: null,
        purged: false,
      });
    }
    expect(await c.stub.summary()).toMatchObject({
      tenantId,
      channelId: c.channelId,
      waId,
      profileName: profile?.name ?? null,
      messageCount: 13,
      unreadCount: 13,
      status: "open",
    });
  });

  it("the same delivery 10 times (one after another and at once) stores one copy and queues nothing more", async () => {
    const d = parsed(metaText);
    const c = open(d.messages[0]!.from);
    const b = batch(c, { messages: d.messages, profile: d.contacts[0]! });
    const first = await c.stub.ingest(b);
    expect(first).toMatchObject({ conversationStarted: true, messagesStored: 1 });
    const queued = (await allMirror(c.stub)).length;
    for (let i = 0; i < 9; i++)
      expect(await c.stub.ingest(b)).toEqual({
        conversationStarted: false,
        messagesStored: 0,
        duplicates: 1,
        statusesApplied: 0,
        statusesPending: 0,
      });
    await Promise.all(Array.from({ length: 10 }, () => c.stub.ingest(b)));
    expect((await c.stub.summary())?.messageCount).toBe(1);
    expect((await c.stub.listMessages()).messages).toHaveLength(1);
    expect((await allMirror(c.stub)).length).toBe(queued);
  });

  it("refuses messages of another customer than the batch names", async () => {
    const c = open();
    const e = await rejection(c.stub.ingest(batch(c, { messages: [inbound("5210000000000", "x", T0)] })));
    expect(conversationErrorCode(e)).toBe("identity_mismatch");
    expect(await c.stub.summary()).toBeNull();
  });
});

describe("delivery statuses", () => {
  it("folds statuses received in reverse order to read, keeping the first time of each", async () => {
    const c = open();
    await c.stub.ingest(batch(c));
    await c.stub.recordOutbound(outbound(c.waId, "out1", T0));
    for (const [s, at] of [
      ["read", T0 + 3_000],
      ["delivered", T0 + 2_000],
      ["sent", T0 + 1_000],
      ["sent", T0 + 5_000],
    ] as const)
      await c.stub.ingest(batch(c, { statuses: [status(c.waId, "out1", s, at)] }));
    const found = await c.stub.getMessage("out1");
    expect(found).toMatchObject({
      message: {
        status: "read",
        direction: "outbound",
        sentBy: "user-1",
        statusHistory: { read: T0 + 3_000, delivered: T0 + 2_000, sent: T0 + 1_000 },
      },
    });
    const changes = (await allMirror(c.stub)).filter((r) => r.kind === "status");
    // read first, then nothing moves it back.
    expect(changes.map((r) => r.kind === "status" && r.payload.status)).toEqual(["read"]);
  });

  it("failed after delivered wins and keeps its error codes; failed after read stays read", async () => {
    const c = open();
    await c.stub.ingest(batch(c));
    await c.stub.recordOutbound(outbound(c.waId, "a", T0));
    await c.stub.recordOutbound(outbound(c.waId, "b", T0));
    const err = [{ code: 131047, title: "Re-engagement message" }];
    const r = await c.stub.ingest(
      batch(c, {
        statuses: [
          status(c.waId, "a", "delivered", T0 + 1),
          status(c.waId, "a", "failed", T0 + 2, err),
          status(c.waId, "a", "delivered", T0 + 3),
          status(c.waId, "b", "read", T0 + 1),
          status(c.waId, "b", "failed", T0 + 2, err),
        ],
      }),
    );
    expect(r).toMatchObject({ statusesApplied: 4, duplicates: 1 });
    expect(await c.stub.getMessage("a")).toMatchObject({ message: { status: "failed", errorCodes: ["131047"] } });
    expect(await c.stub.getMessage("b")).toMatchObject({ message: { status: "read" } });
  });

  it("keeps a status that beats its outbound message and applies it when the message is recorded", async () => {
    const c = open();
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "in1", T0)] }));
    const r = await c.stub.ingest(batch(c, { statuses: [status(c.waId, "wamid.OUT", "delivered", T0 + 2_000)] }));
    expect(r).toMatchObject({ statusesPending: 1, statusesApplied: 0 });
    expect(await c.stub.getMessage("wamid.OUT")).toEqual({
      pendingStatuses: { delivered: T0 + 2_000 },
      errorCodes: [],
    });
    // Known only from its status, the reply already counts: the inbound before it is not unread.
    expect((await c.stub.summary())?.unreadCount).toBe(0);
    const stored = await c.stub.recordOutbound(outbound(c.waId, "wamid.OUT", T0 + 1_000));
    expect(stored).toMatchObject({ providerMessageId: "wamid.OUT", status: "delivered" });
    expect(await c.stub.getMessage("wamid.OUT")).toMatchObject({
      message: { status: "delivered", statusHistory: { delivered: T0 + 2_000 } },
    });
    expect(await c.stub.summary()).toMatchObject({ lastOutboundAt: T0 + 1_000, unreadCount: 0, messageCount: 2 });
    // Idempotent: the same send recorded again returns the stored message and queues nothing.
    const queued = (await allMirror(c.stub)).length;
    expect(await c.stub.recordOutbound(outbound(c.waId, "wamid.OUT", T0 + 1_000))).toEqual(stored);
    expect((await allMirror(c.stub)).length).toBe(queued);
  });

  it("reads the Meta status fixture (delivered, failed with its error)", async () => {
    const d = parsed(metaStatuses);
    const waId = "5215512345678";
    const c = open(waId);
    const statuses = d.statuses.filter((s) => s.recipientId === waId);
    const r = await c.stub.ingest(batch(c, { statuses }));
    expect(r.statusesPending).toBe(statuses.length);
    await c.stub.recordOutbound(outbound(waId, "wamid.OUTBOUND02", 1749416400000));
    expect(await c.stub.getMessage("wamid.OUTBOUND02")).toMatchObject({
      message: { status: "failed", errorCodes: ["131047"] },
    });
  });
});

describe("unread and the 24-hour window", () => {
  it("counts inbound messages after the later of the read mark and the last outbound", async () => {
    const c = open();
    await c.stub.ingest(batch(c, { messages: [1, 2, 3].map((i) => inbound(c.waId, `in${i}`, T0 + i * 1_000)) }));
    expect((await c.stub.summary())?.unreadCount).toBe(3);
    expect((await c.stub.markRead({ at: T0 + 2_000, userId: "u1" })).unreadCount).toBe(1);
    // A read mark never moves back.
    expect((await c.stub.markRead({ at: T0, userId: "u1" })).unreadCount).toBe(1);
    await c.stub.recordOutbound(outbound(c.waId, "out1", T0 + 3_000));
    expect((await c.stub.summary())?.unreadCount).toBe(0);
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "in4", T0 + 4_000)] }));
    expect((await c.stub.summary())?.unreadCount).toBe(1);
    // An outbound message known only from its status webhook counts at that status's time.
    await c.stub.ingest(batch(c, { statuses: [status(c.waId, "elsewhere", "sent", T0 + 5_000)] }));
    expect(await c.stub.summary()).toMatchObject({ unreadCount: 0, lastOutboundAt: T0 + 5_000 });
  });

  it("the window ends 24 h after the last inbound message; outbound messages do not move it", async () => {
    const c = open();
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "in1", T0 + 9_000), inbound(c.waId, "in0", T0)] }));
    await c.stub.recordOutbound(outbound(c.waId, "out1", T0 + 60_000));
    expect(await c.stub.summary()).toMatchObject({
      lastInboundAt: T0 + 9_000,
      lastMessageAt: T0 + 60_000,
      windowExpiresAt: T0 + 9_000 + SERVICE_WINDOW_MS,
    });
  });
});

describe("concurrency", () => {
  it("20 concurrent ingests of overlapping batches give consistent counts", async () => {
    const c = open();
    const batches = Array.from({ length: 20 }, (_, i) =>
      batch(c, {
        messages: [inbound(c.waId, `m${i}`, T0 + i), inbound(c.waId, `m${(i + 1) % 20}`, T0 + ((i + 1) % 20))],
        statuses: [status(c.waId, `o${i % 5}`, "delivered", T0 + (i % 5))],
      }),
    );
    const results = await Promise.all(batches.map((b) => c.stub.ingest(b)));
    expect(results.filter((r) => r.conversationStarted)).toHaveLength(1);
    expect(results.reduce((n, r) => n + r.messagesStored, 0)).toBe(20);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(20 + 15);
    expect(results.reduce((n, r) => n + r.statusesPending, 0)).toBe(5);
    expect(await c.stub.summary()).toMatchObject({ messageCount: 20, unreadCount: 20 - 5 });
    const rows = await allMirror(c.stub);
    expect(rows.filter((r) => r.kind === "message")).toHaveLength(20);
    expect(rows.filter((r) => r.kind === "event" && r.payload.type === "WhatsApp.ConversationStarted")).toHaveLength(1);
  });
});

describe("property: shuffled and duplicated deliveries reach the same state", () => {
  type Item =
    { kind: "in"; m: InboundMessage } | { kind: "st"; s: StatusUpdate } | { kind: "out"; o: OutboundMessageInput };
  const waId = "5215512345678";

  async function replay(items: Item[]) {
    const c = open(waId);
    await c.stub.ingest(batch(c));
    for (const item of items) {
      if (item.kind === "in") await c.stub.ingest(batch(c, { messages: [item.m] }));
      else if (item.kind === "st") await c.stub.ingest(batch(c, { statuses: [item.s] }));
      else await c.stub.recordOutbound(item.o);
    }
    const { createdAt: _c, conversationId: _i, channelId: _ch, ...summary } = (await c.stub.summary())!;
    const messages = (await c.stub.listMessages({ limit: 100 })).messages;
    const details = await Promise.all(["a", "b", "c", "d", "e"].map((id) => c.stub.getMessage(id)));
    return {
      summary,
      messages: [...messages].sort((x, y) => (x.providerMessageId < y.providerMessageId ? -1 : 1)),
      details,
    };
  }

  it("holds for random deliveries replayed in two orders with repeats", async () => {
    const ids = ["a", "b", "c", "d", "e"];
    // Each id is inbound or outbound once and for all; statuses only name outbound-capable ids.
    const item = (directions: Record<string, "in" | "out">) =>
      fc.oneof(
        fc
          .record({ id: fc.constantFrom(...ids), t: fc.integer({ min: 0, max: 50 }) })
          .map(({ id, t }): Item =>
            directions[id] === "in"
              ? { kind: "in", m: inbound(waId, id, T0 + t * 1_000, `texto ${id}`) }
              : { kind: "out", o: outbound(waId, id, T0 + t * 1_000) },
          ),
        fc
          .record({
            id: fc.constantFrom(...ids),
            s: fc.constantFrom<DeliveryStatus>("sent", "delivered", "read", "failed"),
            t: fc.integer({ min: 0, max: 50 }),
          })
          .map(({ id, s, t }): Item => ({ kind: "st", s: status(waId, id, s, T0 + t * 1_000) })),
      );
    const scenario = fc
      .record(Object.fromEntries(ids.map((id) => [id, fc.constantFrom<"in" | "out">("in", "out")])))
      .chain((directions) => fc.array(item(directions), { minLength: 1, maxLength: 10 }))
      // One content per message id: a redelivery repeats the first.
      .map((items) => {
        const first = new Map<string, Item>();
        return items.map((it) => {
          if (it.kind === "st") return it;
          const id = it.kind === "in" ? it.m.providerMessageId : it.o.providerMessageId;
          if (!first.has(id)) first.set(id, it);
          return first.get(id)!;
        });
      });
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.func(fc.integer()),
        async (items, repeats, key) => {
          const redelivered = [...items, ...repeats.map((r) => items[r % items.length]!)];
          const shuffled = redelivered
            .map((x, i) => ({ x, k: key(i) }))
            .sort((p, q) => p.k - q.k)
            .map((p) => p.x);
          const [a, b] = await Promise.all([replay(items), replay(shuffled)]);
          expect(b).toEqual(a);
          // And the object agrees with the rules stated over the set (core foldConversation).
          const facts: ConversationFact[] = items.map((it) =>
            it.kind === "in"
              ? {
                  kind: "message",
                  providerMessageId: it.m.providerMessageId,
                  direction: "inbound",
                  timestamp: it.m.timestamp,
                }
              : it.kind === "out"
                ? {
                    kind: "message",
                    providerMessageId: it.o.providerMessageId,
                    direction: "outbound",
                    timestamp: it.o.timestamp,
                  }
                : { kind: "status", update: it.s },
          );
          const folded = foldConversation(facts);
          expect(a.summary).toMatchObject({
            unreadCount: folded.unreadCount,
            messageCount: folded.messageCount,
            lastInboundAt: folded.lastInboundAt,
            lastOutboundAt: folded.lastOutboundAt,
            lastMessageAt: folded.lastMessageAt,
            windowExpiresAt: folded.windowExpiresAt,
          });
          for (const m of folded.messages)
            expect(a.messages.find((x) => x.providerMessageId === m.providerMessageId)?.status).toBe(m.status);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe("inbox state", () => {
  it("status, assignee and tags; a new inbound message reopens a closed conversation", async () => {
    const c = open();
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "in1", T0)] }));
    expect(await c.stub.setStatus("closed")).toMatchObject({ status: "closed" });
    expect(await c.stub.assign({ userId: "agent-7" })).toMatchObject({ assignedTo: "agent-7" });
    expect(await c.stub.setTags([" vip ", "mayoreo", "vip"])).toMatchObject({ tags: ["vip", "mayoreo"] });
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "in1", T0)] }));
    expect((await c.stub.summary())?.status).toBe("closed"); // a redelivery is not a new message
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "in2", T0 + 1)] }));
    expect(await c.stub.summary()).toMatchObject({ status: "open", assignedTo: "agent-7" });
    expect(await c.stub.assign({ userId: null })).toMatchObject({ assignedTo: null });
  });

  it("a message older than the newest, delivered late, neither reopens a closed conversation nor brings back an old name", async () => {
    const c = open();
    await c.stub.ingest(
      batch(c, {
        profile: { phoneNumberId: "106540352242922", waId: c.waId, name: "Lupita H." },
        messages: [inbound(c.waId, "in1", T0 + 10)],
      }),
    );
    await c.stub.setStatus("closed");
    // A provider retry of an earlier message that never reached us, with the name she had then.
    await c.stub.ingest(
      batch(c, {
        profile: { phoneNumberId: "106540352242922", waId: c.waId, name: "Lupe" },
        messages: [inbound(c.waId, "in0", T0)],
      }),
    );
    expect(await c.stub.summary()).toMatchObject({ status: "closed", profileName: "Lupita H.", messageCount: 2 });
    // Her next message is new: it reopens, and its name is current.
    await c.stub.ingest(
      batch(c, {
        profile: { phoneNumberId: "106540352242922", waId: c.waId, name: "Lupita Hernández" },
        messages: [inbound(c.waId, "in2", T0 + 20)],
      }),
    );
    expect(await c.stub.summary()).toMatchObject({ status: "open", profileName: "Lupita Hernández", messageCount: 3 });
  });

  it("refuses bad tags and bad statuses with typed errors, and calls before the first ingest", async () => {
    const c = open();
    expect(conversationErrorCode(await rejection(c.stub.setTags(["vip"])))).toBe("not_found");
    expect(conversationErrorCode(await rejection(c.stub.recordOutbound(outbound(c.waId, "x", T0))))).toBe("not_found");
    await c.stub.ingest(batch(c));
    for (const bad of [["x".repeat(41)], Array.from({ length: 21 }, (_, i) => `t${i}`), [""], ["a\u0000"]])
      expect(conversationErrorCode(await rejection(c.stub.setTags(bad)))).toBe("invalid_tags");
    expect(conversationErrorCode(await rejection(c.stub.setStatus("archived" as "open")))).toBe("invalid_input");
    expect(conversationErrorCode(await rejection(c.stub.recordOutbound(outbound("5219999999999", "x", T0))))).toBe(
      "identity_mismatch",
    );
    expect((await c.stub.summary())?.tags).toEqual([]);
  });

  it("refuses a call naming another tenant or channel, writing nothing", async () => {
    const c = open();
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "in1", T0)] }));
    const queued = (await allMirror(c.stub)).length;
    for (const other of [{ tenantId: crypto.randomUUID() }, { channelId: crypto.randomUUID() }]) {
      const e = await rejection(c.stub.ingest({ ...batch(c, { messages: [inbound(c.waId, "in2", T0)] }), ...other }));
      expect(conversationErrorCode(e)).toBe("identity_mismatch");
    }
    expect(await c.stub.summary()).toMatchObject({ tenantId, channelId: c.channelId, messageCount: 1 });
    expect((await allMirror(c.stub)).length).toBe(queued);
  });
});

describe("listing", () => {
  it("pages newest first with a cursor, ties in arrival order", async () => {
    const c = open();
    const messages = Array.from({ length: 120 }, (_, i) =>
      inbound(c.waId, `m${String(i).padStart(3, "0")}`, T0 + Math.floor(i / 3)),
    );
    await c.stub.ingest(batch(c, { messages }));
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await c.stub.listMessages({ limit: 50, ...(before ? { before } : {}) });
      seen.push(...page.messages.map((m) => m.providerMessageId));
      if (!page.nextCursor) break;
      before = page.nextCursor;
    }
    expect(seen).toEqual(messages.map((m) => m.providerMessageId).reverse());
    expect(conversationErrorCode(await rejection(c.stub.listMessages({ before: "nope" })))).toBe("invalid_cursor");
    expect(conversationErrorCode(await rejection(c.stub.listMessages({ limit: 101 })))).toBe("invalid_input");
  });
});

describe("mirror queue", () => {
  it("queues conversation, message, status and event rows in order, with name-based event ids, until acked", async () => {
    const c = open();
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "in1", T0)] }));
    await c.stub.recordOutbound(outbound(c.waId, "out1", T0 + 1));
    await c.stub.ingest(batch(c, { statuses: [status(c.waId, "out1", "delivered", T0 + 2)] }));
    const rows = await allMirror(c.stub);
    expect(rows.map((r) => (r.kind === "event" ? r.payload.type : r.kind))).toEqual([
      "WhatsApp.ConversationStarted",
      "message",
      "WhatsApp.MessageReceived",
      "conversation",
      "message",
      "WhatsApp.MessageSent",
      "conversation",
      "status",
      "WhatsApp.MessageStatusChanged",
    ]);
    const seqs = rows.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Event ids are named after the object's own id; the events carry the conversation's UUID.
    const objectId = c.stub.id.toString();
    const conversationId = await conversationUuid(c.channelId, c.waId);
    expect((await c.stub.summary())!.conversationId).toBe(conversationId);
    const events = rows.flatMap((r) => (r.kind === "event" ? [r.payload] : []));
    expect(events.map((e) => e.id)).toEqual(
      await Promise.all(
        ["ConversationStarted", "MessageReceived/in1", "MessageSent/out1", "MessageStatusChanged/out1/delivered"].map(
          (n) => uuidV5(CONVERSATION_EVENT_NAMESPACE, `${objectId}/${n}`),
        ),
      ),
    );
    expect(events[3]).toMatchObject({
      specversion: "1.0",
      source: `/tenants/${tenantId}/whatsapp`,
      subject: "out1",
      tenantid: tenantId,
      time: new Date(T0 + 2).toISOString(),
      data: { conversationId, providerMessageId: "out1", status: "delivered", previousStatus: null },
    });
    expect(await c.stub.ackMirror(seqs[3]!)).toBe(4);
    expect((await allMirror(c.stub)).map((r) => r.seq)).toEqual(seqs.slice(4));
    expect(await c.stub.ackMirror(seqs[seqs.length - 1]!)).toBe(5);
    expect(await allMirror(c.stub)).toEqual([]);
    // Seqs are never reused, so a repeated ack cannot drop rows queued after it.
    await c.stub.setTags(["nuevo"]);
    expect(await c.stub.ackMirror(seqs[seqs.length - 1]!)).toBe(0);
    expect((await allMirror(c.stub))[0]?.seq).toBeGreaterThan(seqs[seqs.length - 1]!);
  });
});

describe("retention", () => {
  it("the alarm blanks bodies older than 90 days, keeps metadata, and reschedules for the rest", async () => {
    const c = open();
    const now = Date.now();
    const old = now - BODY_RETENTION_MS - 60_000;
    const recent = now - 86_400_000;
    await c.stub.ingest(batch(c, { messages: [inbound(c.waId, "old", old), inbound(c.waId, "recent", recent)] }));
    await c.stub.recordOutbound(outbound(c.waId, "old-out", old + 1));
    await c.stub.ingest(batch(c, { statuses: [status(c.waId, "old-out", "read", old + 2)] }));
    // Nothing left for the mirror (this tenant has no database rows: a push would fail and set its
    // retry before the retention time asserted below).
    await c.stub.ackMirror(Number.MAX_SAFE_INTEGER);
    // The alarm was due at once; run it here if the runtime has not already.
    await runDurableObjectAlarm(c.stub);
    expect(await c.stub.getMessage("old")).toMatchObject({
      message: {
        providerMessageId: "old",
        direction: "inbound",
        type: "text",
        timestamp: old,
        content: null,
        purged: true,
      },
    });
    expect(await c.stub.getMessage("old-out")).toMatchObject({
      message: { content: null, purged: true, status: "read", statusHistory: { read: old + 2 }, sentBy: "user-1" },
    });
    expect(await c.stub.getMessage("recent")).toMatchObject({
      message: { content: { text: "hola recent" }, purged: false },
    });
    const alarm = await runInDurableObject(c.stub, (_instance: ConversationDO, state) => state.storage.getAlarm());
    expect(alarm).toBe(recent + BODY_RETENTION_MS);
    expect((await c.stub.summary())?.messageCount).toBe(3);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DeliveryStatus, ProviderError } from "./events.ts";
import {
  ConversationError,
  conversationErrorCode,
  countUnread,
  decodeCursor,
  encodeCursor,
  foldConversation,
  foldStatus,
  MAX_TAGS,
  normalizeTags,
  outboundAt,
  recordStatus,
  SERVICE_WINDOW_MS,
  statusAfterInbound,
  unreadCutoff,
  windowExpiresAt,
  type ConversationFact,
  type StatusHistory,
} from "./conversation-rules.ts";

const STATUSES: DeliveryStatus[] = ["sent", "delivered", "read", "failed"];

function fold(events: [DeliveryStatus, number][]): { status: DeliveryStatus | null; history: StatusHistory } {
  let history: StatusHistory = {};
  for (const [s, at] of events) history = recordStatus(history, s, at);
  return { status: foldStatus(history), history };
}

describe("status folding", () => {
  it("moves forward sent < delivered < read", () => {
    expect(fold([["sent", 1]]).status).toBe("sent");
    expect(
      fold([
        ["sent", 1],
        ["delivered", 2],
      ]).status,
    ).toBe("delivered");
    expect(
      fold([
        ["sent", 1],
        ["delivered", 2],
        ["read", 3],
      ]).status,
    ).toBe("read");
  });

  it("never moves back: a late sent or delivered after read changes nothing", () => {
    const before = fold([
      ["read", 3],
      ["delivered", 2],
    ]);
    const after = fold([
      ["read", 3],
      ["delivered", 2],
      ["sent", 9],
      ["delivered", 10],
    ]);
    expect(after.status).toBe("read");
    expect(after.history).toEqual({ read: 3, delivered: 2, sent: 9 });
    expect(before.status).toBe("read");
  });

  it("failed wins over sent and delivered, in either order", () => {
    expect(
      fold([
        ["delivered", 2],
        ["failed", 3],
      ]).status,
    ).toBe("failed");
    expect(
      fold([
        ["failed", 3],
        ["delivered", 2],
        ["sent", 1],
      ]).status,
    ).toBe("failed");
  });

  it("read stays read when a failed arrives (Meta never fails a read message)", () => {
    expect(
      fold([
        ["read", 3],
        ["failed", 4],
      ]).status,
    ).toBe("read");
    expect(
      fold([
        ["failed", 4],
        ["read", 3],
      ]).status,
    ).toBe("read");
  });

  it("keeps the earliest timestamp per status", () => {
    expect(
      fold([
        ["sent", 5],
        ["sent", 2],
        ["sent", 7],
      ]).history,
    ).toEqual({ sent: 2 });
  });

  it("property: any order and any duplication of the same status events give the same state", () => {
    const event = fc.tuple(fc.constantFrom(...STATUSES), fc.integer({ min: 0, max: 1_000 }));
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 12 }),
        fc.array(fc.nat()),
        fc.func(fc.integer()),
        (events, picks, key) => {
          // The same set of events, shuffled and with some repeated.
          const dupes = picks.filter(() => events.length > 0).map((p) => events[p % events.length]!);
          const shuffled = [...events, ...dupes]
            .map((e, i) => ({ e, k: key(i) }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.e);
          const a = fold(events);
          const b = fold(shuffled);
          expect(b).toEqual(a);
        },
      ),
    );
  });
});

describe("unread", () => {
  it("counts inbound messages strictly newer than the later of read mark and last outbound", () => {
    expect(countUnread([1, 2, 3], unreadCutoff(null, null))).toBe(3);
    expect(countUnread([1, 2, 3], unreadCutoff(2, null))).toBe(1);
    expect(countUnread([1, 2, 3], unreadCutoff(1, 2))).toBe(1);
    expect(countUnread([1, 2, 3], unreadCutoff(3, 1))).toBe(0);
  });

  it("an outbound message known only from its statuses counts at its earliest status", () => {
    expect(outboundAt(undefined, { read: 9, delivered: 5 })).toBe(5);
    expect(outboundAt(4, { read: 9 })).toBe(4);
    expect(outboundAt(undefined, {})).toBeNull();
    const state = foldConversation([
      { kind: "message", providerMessageId: "in1", direction: "inbound", timestamp: 10 },
      { kind: "status", update: { providerMessageId: "out1", status: "delivered", timestamp: 20, errors: [] } },
      { kind: "message", providerMessageId: "in2", direction: "inbound", timestamp: 30 },
    ]);
    expect(state).toMatchObject({ unreadCount: 1, lastOutboundAt: 20, pendingStatuses: { out1: { delivered: 20 } } });
  });
});

describe("24-hour customer-service window", () => {
  it("expires 24 h after the last inbound message", () => {
    expect(windowExpiresAt(null)).toBeNull();
    expect(windowExpiresAt(1_000)).toBe(1_000 + SERVICE_WINDOW_MS);
    const state = foldConversation([
      { kind: "message", providerMessageId: "a", direction: "inbound", timestamp: 5_000 },
      { kind: "message", providerMessageId: "b", direction: "inbound", timestamp: 1_000 },
      { kind: "message", providerMessageId: "c", direction: "outbound", timestamp: 9_000 },
    ]);
    expect(state.windowExpiresAt).toBe(5_000 + SERVICE_WINDOW_MS);
  });

  it("a new inbound message reopens a closed conversation only", () => {
    expect(statusAfterInbound("closed")).toBe("open");
    expect(statusAfterInbound("pending")).toBe("pending");
    expect(statusAfterInbound("open")).toBe("open");
  });
});

describe("tags", () => {
  it("trims, normalizes and deduplicates, keeping order", () => {
    expect(normalizeTags([" vip ", "mayoreo", "vip", "Cafe\u0301"])).toEqual(["vip", "mayoreo", "Café"]);
  });

  it.each([
    ["not an array", "vip"],
    ["a non-string", ["vip", 3]],
    ["an empty tag", ["  "]],
    ["a long tag", ["x".repeat(41)]],
    ["a control character", ["a\nb"]],
    ["too many tags", Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`)],
  ])("refuses %s", (_why, input) => {
    expect(() => normalizeTags(input)).toThrow(ConversationError);
    try {
      normalizeTags(input);
    } catch (e) {
      expect(conversationErrorCode(e)).toBe("invalid_tags");
    }
  });

  it("accepts exactly the limits", () => {
    expect(normalizeTags(Array.from({ length: MAX_TAGS }, (_, i) => `${i}`.padEnd(40, "x")))).toHaveLength(MAX_TAGS);
  });
});

describe("errors and cursors", () => {
  it("reads the code back from a plain Error with the same message (as after an RPC)", () => {
    const e = new ConversationError("identity_mismatch", "other tenant");
    expect(conversationErrorCode(new Error(e.message))).toBe("identity_mismatch");
    expect(conversationErrorCode(new Error("boom: x"))).toBeUndefined();
    expect(conversationErrorCode("identity_mismatch: x")).toBeUndefined();
  });

  it("round-trips cursors and refuses anything else", () => {
    expect(decodeCursor(encodeCursor({ timestamp: 1749416383000, seq: 12 }))).toEqual({
      timestamp: 1749416383000,
      seq: 12,
    });
    for (const bad of ["", "1", "1.0", "01.2", "-1.2", "1.2.3", "a.b", "1.99999999999999999"])
      expect(() => decodeCursor(bad), bad).toThrow(ConversationError);
  });
});

describe("property: shuffled and duplicated deliveries give the same final conversation", () => {
  const ids = ["m1", "m2", "m3", "m4", "m5"];
  const fact: fc.Arbitrary<ConversationFact> = fc.oneof(
    fc.record({
      kind: fc.constant("message" as const),
      providerMessageId: fc.constantFrom(...ids),
      direction: fc.constantFrom("inbound" as const, "outbound" as const),
      timestamp: fc.integer({ min: 0, max: 100 }),
    }),
    fc.record({
      kind: fc.constant("status" as const),
      update: fc.record({
        providerMessageId: fc.constantFrom(...ids, "unknown1"),
        status: fc.constantFrom(...STATUSES),
        timestamp: fc.integer({ min: 0, max: 100 }),
        errors: fc.constant<ProviderError[]>([]),
      }),
    }),
    fc.record({ kind: fc.constant("read" as const), at: fc.integer({ min: 0, max: 100 }) }),
  );
  // A message id names one message: redeliveries repeat it exactly, so draw each id's content once.
  const consistent = (facts: ConversationFact[]) => {
    const first = new Map<string, ConversationFact>();
    return facts.map((f) => {
      if (f.kind !== "message") return f;
      if (!first.has(f.providerMessageId)) first.set(f.providerMessageId, f);
      return first.get(f.providerMessageId)!;
    });
  };

  it("holds for any permutation with repeats", () => {
    fc.assert(
      fc.property(
        fc.array(fact, { maxLength: 25 }).map(consistent),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.func(fc.integer()),
        (facts, repeats, key) => {
          const redelivered = [
            ...facts,
            ...repeats.filter(() => facts.length > 0).map((r) => facts[r % facts.length]!),
          ];
          const shuffled = redelivered
            .map((f, i) => ({ f, k: key(i) }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.f);
          expect(foldConversation(shuffled)).toEqual(foldConversation(facts));
        },
      ),
      { numRuns: 500 },
    );
  });
});

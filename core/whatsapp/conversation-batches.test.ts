import { describe, expect, it } from "vitest";
import { batchesByConversation, canonicalWaId } from "./conversation-batches.ts";
import type { InboundMessage, NormalizedDelivery, StatusUpdate } from "./events.ts";

const PNID = "106540352242922";
const message = (id: string, from: string): InboundMessage => ({
  phoneNumberId: PNID,
  providerMessageId: id,
  from,
  timestamp: 1_000,
  type: "text",
  text: id,
});
const status = (id: string, recipientId: string): StatusUpdate => ({
  phoneNumberId: PNID,
  providerMessageId: id,
  recipientId,
  status: "delivered",
  providerStatus: "delivered",
  timestamp: 2_000,
  errors: [],
});
const delivery = (part: Partial<NormalizedDelivery>): NormalizedDelivery => ({
  phoneNumberIds: [PNID],
  contacts: [],
  messages: [],
  statuses: [],
  skipped: [],
  skippedCount: 0,
  ...part,
});

describe("canonicalWaId", () => {
  it("drops the Mexican mobile 1 (abolished in 2019), so 521… and 52… are one customer", () => {
    expect(canonicalWaId("5215512345678")).toEqual({ waId: "525512345678", phone: "+525512345678" });
    expect(canonicalWaId("525512345678")).toEqual({ waId: "525512345678", phone: "+525512345678" });
  });

  it("keeps other countries' numbers, and ids that are not phone numbers, as they are", () => {
    expect(canonicalWaId("14155238886")).toEqual({ waId: "14155238886", phone: "+14155238886" });
    expect(canonicalWaId("US.13491208655302741918")).toEqual({ waId: "US.13491208655302741918", phone: null });
    expect(canonicalWaId("52123")).toEqual({ waId: "52123", phone: null });
  });
});

describe("batchesByConversation", () => {
  it("groups messages by sender and statuses by recipient, with the sender's profile", () => {
    const batches = batchesByConversation(
      delivery({
        contacts: [{ phoneNumberId: PNID, waId: "5215512345678", name: "Lupita" }],
        messages: [message("m1", "5215512345678"), message("m2", "14155238886"), message("m3", "5215512345678")],
        statuses: [status("s1", "525512345678"), status("s2", "5213312345678")],
      }),
    );
    expect(batches.map((b) => [b.waId, b.messages.map((m) => m.providerMessageId), b.statuses.length])).toEqual([
      ["525512345678", ["m1", "m3"], 1],
      ["14155238886", ["m2"], 0],
      ["523312345678", [], 1],
    ]);
    expect(batches[0]?.profile).toEqual({ phoneNumberId: PNID, waId: "525512345678", name: "Lupita" });
    expect(batches[0]?.messages.map((m) => m.from)).toEqual(["525512345678", "525512345678"]);
    expect(batches[2]?.statuses[0]?.recipientId).toBe("523312345678");
    expect(batches[0]?.phone).toBe("+525512345678");
    expect(batches[1]?.profile).toBeUndefined();
  });

  it("a profile without messages or statuses makes no batch", () => {
    expect(
      batchesByConversation(delivery({ contacts: [{ phoneNumberId: PNID, waId: "5215512345678", name: "x" }] })),
    ).toEqual([]);
  });
});

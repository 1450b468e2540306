import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  MAX_BODY_BYTES,
  MAX_CHANGES_PER_ENTRY,
  MAX_ENTRIES_PER_DELIVERY,
  MAX_EVENTS_PER_DELIVERY,
  MAX_ITEMS_PER_CHANGE,
  MAX_RAW_JSON_CHARS,
  MAX_SKIPPED_REPORTED,
  MAX_TEXT_CHARS,
} from "./limits.ts";
import type { NormalizedDelivery, ParseResult } from "./events.ts";
import { parseMetaWebhook } from "./meta-payload.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

function delivery(result: ParseResult): NormalizedDelivery {
  if (!result.ok) throw new Error(`${result.error}: ${result.message}`);
  return result.delivery;
}

const envelope = (value: unknown, field = "messages") =>
  JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field, value }] }] });
const metadata = { display_phone_number: "525587654321", phone_number_id: "106540352242922" };

describe("parseMetaWebhook: Meta's documented shapes", () => {
  it("reads a text message and its sender's profile", () => {
    const d = delivery(parseMetaWebhook(fixture("meta-text.json")));
    expect(d.phoneNumberIds).toEqual(["106540352242922"]);
    expect(d.contacts).toEqual([{ phoneNumberId: "106540352242922", waId: "5215512345678", name: "Lupita Hernández" }]);
    expect(d.messages).toEqual([
      {
        phoneNumberId: "106540352242922",
        providerMessageId: "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFDNBMDFGQUtFMDAwMDAwMDAwMQA=",
        from: "5215512345678",
        timestamp: 1749416383000,
        type: "text",
        text: "¿Tienen la cotización lista para mañana?",
      },
    ]);
    expect(d.skipped).toEqual([]);
  });

  it("reads every message type in one change", () => {
    const d = delivery(parseMetaWebhook(fixture("meta-messages.json")));
    const byId = new Map(d.messages.map((m) => [m.providerMessageId, m]));
    expect(d.messages).toHaveLength(13);
    expect(d.contacts[0]).toMatchObject({ waId: "5213398765432", userId: "MX.1234567890123456" });
    expect(byId.get("wamid.IMAGE01")).toMatchObject({
      type: "image",
      text: "Así quedó la fachada",
      media: { id: "1003383421387256", mimeType: "image/jpeg", sha256: "Bq3mGj0rN1vA3pYgX8m2oYy4Vb1k6L3w2kqj8XcCq+E=" },
    });
    expect(byId.get("wamid.DOC01")?.media).toMatchObject({
      filename: "factura-marzo.pdf",
      mimeType: "application/pdf",
    });
    expect(byId.get("wamid.AUDIO01")).toMatchObject({ type: "audio", media: { id: "3003383421387258" } });
    expect(byId.get("wamid.LOC01")?.location).toEqual({
      latitude: 19.4284,
      longitude: -99.1621,
      name: "Oficina Reforma",
      address: "Av. Reforma 222, Juárez, CDMX",
      url: "https://example.mx/oficina",
    });
    expect(byId.get("wamid.CONTACTS01")?.contacts).toEqual([
      {
        name: "Ing. Rosa Martínez",
        phones: [{ phone: "+52 55 1111 2222", waId: "5215511112222", type: "CELL" }],
        emails: ["rosa@example.mx"],
      },
    ]);
    expect(byId.get("wamid.INTERACTIVE01")).toMatchObject({
      type: "interactive",
      interactive: { kind: "button_reply", id: "acepto", title: "Acepto" },
      context: { messageId: "wamid.OUTBOUND01", from: "525587654321" },
    });
    expect(byId.get("wamid.LIST01")?.interactive).toEqual({
      kind: "list_reply",
      id: "msi-6",
      title: "6 MSI",
      description: "Seis meses sin intereses",
    });
    expect(byId.get("wamid.BUTTON01")?.button).toEqual({ text: "Confirmar", payload: "CONFIRMAR_CITA" });
    expect(byId.get("wamid.REACTION01")?.reaction).toEqual({ messageId: "wamid.OUTBOUND01", emoji: "👍" });
    expect(byId.get("wamid.REACTION02")?.reaction).toEqual({ messageId: "wamid.OUTBOUND01" });
    expect(byId.get("wamid.ORDER01")?.order).toEqual({
      catalogId: "987654321012345",
      text: "Lo de siempre",
      items: [{ productRetailerId: "SKU-TAMAL-01", quantity: 12, itemPrice: 25.5, currency: "MXN" }],
    });
    expect(byId.get("wamid.SYSTEM01")?.system).toEqual({
      kind: "user_changed_number",
      body: "El usuario cambió de número",
      newWaId: "5215599990000",
    });
    const unsupported = byId.get("wamid.UNSUPPORTED01")!;
    expect(unsupported).toMatchObject({
      type: "unsupported",
      unsupported: { originalType: "unsupported" },
      errors: [{ code: 131051, title: "Message type unknown", details: "Message type is currently not supported." }],
    });
    expect(JSON.parse(unsupported.raw!)).toMatchObject({ id: "wamid.UNSUPPORTED01" });
  });

  it("reads statuses, keeps conversation and pricing, and skips status values it does not track", () => {
    const d = delivery(parseMetaWebhook(fixture("meta-statuses.json")));
    expect(d.phoneNumberIds).toEqual(["106540352242922", "206540352242933"]);
    expect(d.statuses.map((s) => [s.providerMessageId, s.status])).toEqual([
      ["wamid.OUTBOUND01", "delivered"],
      ["wamid.OUTBOUND02", "failed"],
      ["wamid.OUTBOUND04", "read"],
    ]);
    expect(d.statuses[0]).toMatchObject({
      recipientId: "5215512345678",
      timestamp: 1749416500000,
      errors: [],
      conversation: { id: "6ceb9d929c1cbdb2fd0f4b1a8e1f6b5d", expiresAt: 1749502900000, originType: "utility" },
      pricing: { billable: true, pricingModel: "PMP", category: "utility", type: "regular" },
    });
    expect(d.statuses[1]!.errors).toEqual([
      {
        code: 131047,
        title: "Re-engagement message",
        message: "Re-engagement message",
        details: "Message failed to send because more than 24 hours have passed.",
      },
    ]);
    expect(d.skipped).toEqual([{ path: "entry[0].changes[0].value.statuses[2]", reason: "status played not tracked" }]);
  });

  it("verifies nothing about the body's encoding style: escaped and raw UTF-8 parse alike", () => {
    const escaped = envelope({
      metadata,
      messages: [
        { id: "w1", from: "5215512345678", timestamp: "1", type: "text", text: { body: "ma\\u00f1ana 1\\/2" } },
      ],
    }).replace("ma\\\\u00f1ana 1\\\\/2", "ma\\u00f1ana 1\\/2");
    expect(delivery(parseMetaWebhook(escaped)).messages[0]!.text).toBe("mañana 1/2");
  });
});

describe("parseMetaWebhook: bad input is a typed result, never a throw", () => {
  it.each([
    ["not json", "{", "invalid_json"],
    ["empty", "", "invalid_json"],
    ["array", "[]", "invalid_shape"],
    ["other object", JSON.stringify({ object: "page", entry: [] }), "invalid_shape"],
    ["entry not array", JSON.stringify({ object: "whatsapp_business_account", entry: {} }), "invalid_shape"],
  ])("%s", (_name, body, error) => {
    expect(parseMetaWebhook(body)).toMatchObject({ ok: false, error });
  });

  it("rejects invalid UTF-8 and oversized bodies before parsing", () => {
    expect(parseMetaWebhook(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({
      ok: false,
      error: "invalid_encoding",
    });
    expect(parseMetaWebhook(new Uint8Array(MAX_BODY_BYTES + 1))).toMatchObject({ ok: false, error: "too_large" });
    expect(parseMetaWebhook("ñ".repeat(MAX_BODY_BYTES / 2 + 1))).toMatchObject({ ok: false, error: "too_large" });
  });

  it("skips malformed items with a path and keeps the rest", () => {
    const d = delivery(
      parseMetaWebhook(
        envelope({
          metadata,
          contacts: [{ profile: { name: "sin wa_id" } }],
          messages: [
            null,
            { from: "1", timestamp: "1", type: "text", text: { body: "sin id" } },
            { id: "w2", timestamp: "1", type: "text", text: { body: "sin from" } },
            { id: "w3", from: "1", timestamp: "ayer", type: "text", text: { body: "mala fecha" } },
            { id: "w4", from: "1", timestamp: "1", type: "text", text: { body: "bien" } },
            { id: "w5", from: "1", timestamp: "1", type: "image", image: {} },
            { id: "w6", from: "1", timestamp: "1", type: "hologram", hologram: { depth: 3 } },
          ],
          statuses: "nope",
        }),
      ),
    );
    expect(d.messages.map((m) => [m.providerMessageId, m.type])).toEqual([
      ["w4", "text"],
      ["w5", "unsupported"],
      ["w6", "unsupported"],
    ]);
    expect(d.messages[2]!.unsupported).toEqual({ originalType: "hologram", reason: "type hologram not understood" });
    expect(d.skipped.map((s) => s.path)).toEqual([
      "entry[0].changes[0].value.contacts[0]",
      "entry[0].changes[0].value.messages[0]",
      "entry[0].changes[0].value.messages[1]",
      "entry[0].changes[0].value.messages[2]",
      "entry[0].changes[0].value.messages[3]",
      "entry[0].changes[0].value.statuses",
    ]);
  });

  it("skips other webhook fields and changes without a phone_number_id", () => {
    const d = delivery(parseMetaWebhook(envelope({ metadata }, "account_update")));
    expect(d.skipped).toEqual([{ path: "entry[0].changes[0]", reason: "field account_update not handled" }]);
    const noId = delivery(parseMetaWebhook(envelope({ metadata: {} })));
    expect(noId.skipped[0]!.reason).toBe("no phone_number_id");
  });
});

describe("parseMetaWebhook: limits", () => {
  const tiny = (i: number) => ({ id: `w${i}`, from: "1", timestamp: "1", type: "text", text: { body: "." } });

  it("keeps MAX_ITEMS_PER_CHANGE items of a change and reports the rest", () => {
    const messages = Array.from({ length: MAX_ITEMS_PER_CHANGE + 5 }, (_, i) => tiny(i));
    const d = delivery(parseMetaWebhook(envelope({ metadata, messages })));
    expect(d.messages).toHaveLength(MAX_ITEMS_PER_CHANGE);
    expect(d.skipped[0]!.reason).toMatch(/limit: 1000 items per change, 5 dropped/);
  });

  it("caps entries per delivery, changes per entry and events per delivery", () => {
    const change = { field: "messages", value: { metadata: { phone_number_id: "1" }, messages: [tiny(1)] } };
    const entry = { id: "1", changes: Array.from({ length: MAX_CHANGES_PER_ENTRY + 1 }, () => change) };
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: Array.from({ length: MAX_ENTRIES_PER_DELIVERY + 1 }, () => entry),
    });
    const d = delivery(parseMetaWebhook(body));
    expect(d.messages).toHaveLength(MAX_EVENTS_PER_DELIVERY);
    expect(d.skipped.length).toBe(MAX_SKIPPED_REPORTED);
    expect(d.skipped.map((s) => s.reason)).toContain("limit: 100 kept, 1 dropped");
    expect(d.skippedCount).toBeGreaterThan(MAX_SKIPPED_REPORTED);
  });

  it("cuts a long text without splitting a surrogate pair", () => {
    const body = "a".repeat(MAX_TEXT_CHARS - 1) + "😀" + "b".repeat(10);
    const d = delivery(parseMetaWebhook(envelope({ metadata, messages: [{ ...tiny(1), text: { body } }] })));
    expect(d.messages[0]!.text).toBe("a".repeat(MAX_TEXT_CHARS - 1));
    expect(d.messages[0]!.textTruncated).toBe(true);
  });
});

describe("parseMetaWebhook: 1 MiB of hostile input answers fast", () => {
  const MiB = 1024 * 1024;
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  const head = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[`;
  const tail = `]}}]}]}`;
  const shapes: [string, string][] = [
    ["300k empty messages in one change", head + Array(300_000).fill("{}").join(",") + tail],
    [
      "20k minimal valid messages in one change",
      head +
        Array.from(
          { length: 20_000 },
          (_, i) => `{"id":"${i}","from":"1","timestamp":"1","type":"text","text":{"body":"x"}}`,
        ).join(",") +
        tail,
    ],
    [
      "unsupported message with 500k nested arrays",
      head + `{"id":"n","from":"1","timestamp":"1","type":"hologram","hologram":{"x":${nested(500_000)}}}` + tail,
    ],
    [
      "unsupported message with a 60k-key object",
      head +
        `{"id":"k","from":"1","timestamp":"1","type":"hologram","hologram":{${Array.from({ length: 60_000 }, (_, i) => `"k${i}":${i}`).join(",")}}}` +
        tail,
    ],
    [
      "one 1 MiB text",
      head + `{"id":"t","from":"1","timestamp":"1","type":"text","text":{"body":"${"ñ".repeat(MiB / 2)}"}}` + tail,
    ],
    [
      "10k changes of one message each",
      `{"object":"whatsapp_business_account","entry":[${Array(100)
        .fill(
          `{"id":"1","changes":[${Array(100).fill(`{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"id":"m","from":"1","timestamp":"1","type":"text","text":{"body":"x"}}]}}`).join(",")}]}`,
        )
        .join(",")}]}`,
    ],
  ];

  it.each(shapes)("%s", (name, body) => {
    const bytes = new TextEncoder().encode(body);
    expect(bytes.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const before = process.cpuUsage();
    const result = parseMetaWebhook(bytes);
    const cpu = process.cpuUsage(before);
    const ms = (cpu.user + cpu.system) / 1000;
    console.log(`hostile ${name}: ${(bytes.length / MiB).toFixed(2)} MiB, ${ms.toFixed(1)} ms CPU`);
    expect(ms).toBeLessThan(500);
    const d = delivery(result);
    expect(d.messages.length).toBeLessThanOrEqual(MAX_EVENTS_PER_DELIVERY);
    for (const m of d.messages) {
      expect((m.raw ?? "").length).toBeLessThanOrEqual(MAX_RAW_JSON_CHARS);
      expect((m.text ?? "").length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    }
    expect(d.skipped.length).toBeLessThanOrEqual(MAX_SKIPPED_REPORTED);
    if (d.messages.length + d.skippedCount > MAX_ITEMS_PER_CHANGE) expect(d.skippedCount).toBeGreaterThan(0);
  });
});

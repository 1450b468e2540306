import { describe, expect, it } from "vitest";
import type { NormalizedDelivery, ParseResult } from "./events.ts";
import { MAX_TEXT_CHARS, MAX_TWILIO_BODY_BYTES, MAX_TWILIO_MEDIA, MAX_TWILIO_PARAMS } from "./limits.ts";
import { parseTwilioWebhook, readTwilioForm } from "./twilio-payload.ts";

const now = 1_749_416_383_000;
const base = {
  AccountSid: "AC00000000000000000000000000000000",
  MessageSid: "SM11111111111111111111111111111111",
  From: "whatsapp:+5215512345678",
  To: "whatsapp:+14155238886",
};

function parse(fields: Record<string, string>): NormalizedDelivery {
  const result: ParseResult = parseTwilioWebhook(new URLSearchParams(fields), now);
  if (!result.ok) throw new Error(`${result.error}: ${result.message}`);
  return result.delivery;
}

describe("parseTwilioWebhook: inbound", () => {
  it("reads a text message, its sender and profile name", () => {
    const d = parse({
      ...base,
      Body: "Hola, ¿me mandan la factura?",
      NumMedia: "0",
      ProfileName: "Lupita",
      WaId: "5215512345678",
      SmsStatus: "received",
    });
    expect(d.phoneNumberIds).toEqual(["14155238886"]);
    expect(d.contacts).toEqual([{ phoneNumberId: "14155238886", waId: "5215512345678", name: "Lupita" }]);
    expect(d.messages).toEqual([
      {
        phoneNumberId: "14155238886",
        providerMessageId: base.MessageSid,
        from: "5215512345678",
        timestamp: now,
        type: "text",
        text: "Hola, ¿me mandan la factura?",
      },
    ]);
  });

  it("reads media with captions, keeps extra media, and caps NumMedia", () => {
    const d = parse({
      ...base,
      Body: "fotos",
      NumMedia: "2",
      MediaUrl0: "https://api.twilio.com/m/ME0",
      MediaContentType0: "image/jpeg",
      MediaUrl1: "https://api.twilio.com/m/ME1",
      MediaContentType1: "application/pdf",
    });
    expect(d.messages[0]).toMatchObject({
      type: "image",
      text: "fotos",
      media: { id: "https://api.twilio.com/m/ME0", mimeType: "image/jpeg" },
      extraMedia: [{ id: "https://api.twilio.com/m/ME1", mimeType: "application/pdf" }],
    });
    const many = parse({ ...base, NumMedia: "5000", MediaUrl0: "https://x.test/0", MediaContentType0: "audio/ogg" });
    expect(many.messages[0]).toMatchObject({ type: "audio", media: { id: "https://x.test/0" } });
    expect(many.skipped[0]).toEqual({ path: "NumMedia", reason: `limit: ${MAX_TWILIO_MEDIA} media kept of 5000` });
  });

  it("reads locations, quick-reply buttons and replies", () => {
    const loc = parse({
      ...base,
      Latitude: "19.4284",
      Longitude: "-99.1621",
      Address: "Reforma 222",
      Label: "Oficina",
    });
    expect(loc.messages[0]!.location).toEqual({
      latitude: 19.4284,
      longitude: -99.1621,
      name: "Oficina",
      address: "Reforma 222",
    });
    const button = parse({
      ...base,
      Body: "Confirmar",
      ButtonText: "Confirmar",
      ButtonPayload: "CONFIRMAR_CITA",
      OriginalRepliedMessageSid: "SM22222222222222222222222222222222",
    });
    expect(button.messages[0]).toMatchObject({
      type: "button",
      button: { text: "Confirmar", payload: "CONFIRMAR_CITA" },
      context: { messageId: "SM22222222222222222222222222222222" },
    });
  });

  it("marks an empty message unsupported and cuts long bodies", () => {
    expect(parse({ ...base, MessageType: "sticker" }).messages[0]).toMatchObject({
      type: "unsupported",
      unsupported: { originalType: "sticker" },
    });
    const long = parse({ ...base, Body: "x".repeat(MAX_TEXT_CHARS + 1) }).messages[0]!;
    expect(long.text).toHaveLength(MAX_TEXT_CHARS);
    expect(long.textTruncated).toBe(true);
  });
});

describe("parseTwilioWebhook: status callbacks", () => {
  const outbound = { ...base, From: "whatsapp:+14155238886", To: "whatsapp:+5215512345678" };

  it.each([
    ["sent", "sent"],
    ["delivered", "delivered"],
    ["read", "read"],
    ["failed", "failed"],
    ["undelivered", "failed"],
  ])("%s → %s, keeping Twilio's word", (providerStatus, status) => {
    const d = parse({ ...outbound, MessageStatus: providerStatus, SmsStatus: providerStatus });
    expect(d.messages).toEqual([]);
    expect(d.statuses).toEqual([
      {
        phoneNumberId: "14155238886",
        providerMessageId: base.MessageSid,
        recipientId: "5215512345678",
        status,
        providerStatus,
        timestamp: now,
        errors: [],
      },
    ]);
  });

  it("keeps the error code", () => {
    const d = parse({
      ...outbound,
      MessageStatus: "undelivered",
      ErrorCode: "63016",
      ErrorMessage: "Outside the window",
    });
    expect(d.statuses[0]!.errors).toEqual([{ code: 63016, title: "Outside the window" }]);
  });

  it("reports queued and other untracked statuses as skipped", () => {
    const d = parse({ ...outbound, MessageStatus: "queued" });
    expect(d.statuses).toEqual([]);
    expect(d.skipped).toEqual([{ path: "MessageStatus", reason: "status queued not tracked" }]);
  });
});

describe("Twilio input limits", () => {
  it("answers a typed error for a form without the required fields", () => {
    expect(parseTwilioWebhook(new URLSearchParams("Body=hola"), now)).toMatchObject({
      ok: false,
      error: "invalid_shape",
    });
  });

  it("reads a form within byte and parameter limits", () => {
    expect(readTwilioForm(new URLSearchParams(base).toString())).toMatchObject({ ok: true });
    expect(readTwilioForm(new Uint8Array(MAX_TWILIO_BODY_BYTES + 1))).toMatchObject({ ok: false, error: "too_large" });
    const many = Array.from({ length: MAX_TWILIO_PARAMS + 1 }, (_, i) => `p${i}=1`).join("&");
    expect(readTwilioForm(many)).toMatchObject({ ok: false, error: "too_large" });
    expect(readTwilioForm(new Uint8Array([0x61, 0x3d, 0xff]))).toMatchObject({ ok: false, error: "invalid_encoding" });
  });
});

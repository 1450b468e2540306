import { describe, expect, it } from "vitest";
import { cloudApiBody, metaSendRequest, parseCloudApiResponse } from "./send-meta.ts";
import { dialogSendRequest, parseDialogResponse } from "./send-360dialog.ts";
import { parseTwilioResponse, twilioSendRequest } from "./send-twilio.ts";
import { templateParameters, templateVariables, type OutboundSend } from "./send-message.ts";

const TO = "525512345678";
const text: OutboundSend = { type: "text", text: "Hola Lupita, ¿seguimos con la cotización?" };
const template: OutboundSend = {
  type: "template",
  template: {
    name: "recordatorio_pago",
    language: "es_MX",
    parameters: ["Lupita", "$1,234.56 MXN"],
    contentSid: "HX0123456789abcdef0123456789abcdef",
  },
};
const document: OutboundSend = {
  type: "document",
  document: {
    url: "https://files.example.mx/COT-2026-00012.pdf",
    filename: "COT-2026-00012.pdf",
    caption: "Tu cotización",
  },
};

describe("Cloud API body (Meta and 360dialog)", () => {
  it("text: preview_url false", () => {
    expect(cloudApiBody(TO, text)).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: TO,
      type: "text",
      text: { body: "Hola Lupita, ¿seguimos con la cotización?", preview_url: false },
    });
  });

  it("template: language code and one body component with text parameters", () => {
    expect(cloudApiBody(TO, template)).toMatchObject({
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
    });
    const plain = cloudApiBody(TO, { type: "template", template: { name: "hola", language: "es_MX", parameters: [] } });
    expect(plain.template).toEqual({ name: "hola", language: { code: "es_MX" } });
  });

  it("document: link, filename, caption", () => {
    expect(cloudApiBody(TO, document).document).toEqual({
      link: "https://files.example.mx/COT-2026-00012.pdf",
      filename: "COT-2026-00012.pdf",
      caption: "Tu cotización",
    });
  });

  it("Meta: versioned Graph URL and Bearer token; 360dialog: /messages and D360-API-KEY", () => {
    const meta = metaSendRequest(
      "https://graph.facebook.com/",
      { phoneNumberId: "1065", accessToken: "tok" },
      TO,
      text,
    );
    expect(meta.url).toBe("https://graph.facebook.com/v21.0/1065/messages");
    expect(meta.headers).toMatchObject({ authorization: "Bearer tok", "content-type": "application/json" });
    const dialog = dialogSendRequest("https://waba-v2.360dialog.io", { apiKey: "k" }, TO, text);
    expect(dialog.url).toBe("https://waba-v2.360dialog.io/messages");
    expect(dialog.headers).toMatchObject({ "d360-api-key": "k" });
    expect(JSON.parse(dialog.body)).toEqual(JSON.parse(meta.body));
  });
});

describe("Cloud API answers", () => {
  const error = (code: number, status = 400) =>
    parseCloudApiResponse(
      status,
      JSON.stringify({
        error: { message: `(#${code}) x`, type: "OAuthException", code, error_data: { details: "d" }, fbtrace_id: "A" },
      }),
    );

  it("success: the wamid", () => {
    const body = {
      messaging_product: "whatsapp",
      contacts: [{ input: TO, wa_id: TO }],
      messages: [{ id: "wamid.ABC=" }],
    };
    expect(parseCloudApiResponse(200, JSON.stringify(body))).toEqual({ ok: true, providerMessageId: "wamid.ABC=" });
  });

  it("a 200 without a message id is not a success", () => {
    expect(parseCloudApiResponse(200, "{}")).toMatchObject({ ok: false, failure: { kind: "unavailable" } });
    expect(parseCloudApiResponse(200, "<html>")).toMatchObject({ ok: false, failure: { kind: "unavailable" } });
  });

  it.each([
    [131047, 400, "window_closed"],
    [131026, 400, "recipient"],
    [190, 401, "credentials"],
    [200, 403, "credentials"],
    [100, 400, "rejected"],
    [132001, 404, "rejected"],
    [130429, 400, "throttled"],
    [131000, 500, "unavailable"],
    [999999, 503, "unavailable"],
  ] as const)("error %i (HTTP %i) → %s", (code, status, kind) => {
    expect(error(code, status)).toEqual({
      ok: false,
      failure: { kind, providerCode: String(code), httpStatus: status },
    });
  });

  it("a body without an error code: the status decides", () => {
    expect(parseDialogResponse(401, JSON.stringify({ meta: { developer_message: "Invalid api_key" } }))).toEqual({
      ok: false,
      failure: { kind: "credentials", providerCode: null, httpStatus: 401 },
    });
    expect(parseCloudApiResponse(502, "Bad Gateway")).toMatchObject({ failure: { kind: "unavailable" } });
  });
});

describe("Twilio", () => {
  const sender = { accountSid: `AC${"a".repeat(32)}`, authToken: "secret", sender: "whatsapp:+525541690000" };

  it("text: form From/To/Body and Basic auth", () => {
    const req = twilioSendRequest("https://api.twilio.com", sender, TO, text);
    expect(req.url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${sender.accountSid}/Messages.json`);
    expect(req.headers.authorization).toBe(`Basic ${btoa(`${sender.accountSid}:secret`)}`);
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(req.body);
    expect(Object.fromEntries(form)).toEqual({
      From: "whatsapp:+525541690000",
      To: `whatsapp:+${TO}`,
      Body: "Hola Lupita, ¿seguimos con la cotización?",
    });
  });

  it("template: ContentSid and numbered ContentVariables; document: MediaUrl with the caption as Body", () => {
    const t = new URLSearchParams(twilioSendRequest("https://api.twilio.com", sender, TO, template).body);
    expect(t.get("ContentSid")).toBe("HX0123456789abcdef0123456789abcdef");
    expect(JSON.parse(t.get("ContentVariables")!)).toEqual({ "1": "Lupita", "2": "$1,234.56 MXN" });
    expect(t.has("Body")).toBe(false);
    const d = new URLSearchParams(twilioSendRequest("https://api.twilio.com", sender, TO, document).body);
    expect(d.get("MediaUrl")).toBe("https://files.example.mx/COT-2026-00012.pdf");
    expect(d.get("Body")).toBe("Tu cotización");
  });

  it("success: the SM sid", () => {
    const sid = `SM${"0123456789abcdef".repeat(2)}`;
    expect(parseTwilioResponse(201, JSON.stringify({ sid, status: "queued" }))).toEqual({
      ok: true,
      providerMessageId: sid,
    });
  });

  it.each([
    [63016, 400, "window_closed"],
    [21211, 400, "recipient"],
    [20003, 401, "credentials"],
    [20429, 429, "throttled"],
    [21620, 400, "rejected"],
    [20500, 500, "unavailable"],
  ] as const)("error %i (HTTP %i) → %s", (code, status, kind) => {
    const body = { code, message: "m", more_info: `https://www.twilio.com/docs/errors/${code}`, status };
    expect(parseTwilioResponse(status, JSON.stringify(body))).toEqual({
      ok: false,
      failure: { kind, providerCode: String(code), httpStatus: status },
    });
  });
});

describe("template variables", () => {
  it("parameters number from 1; Twilio's own map is kept and read back in numeric order", () => {
    expect(templateVariables({ name: "x", language: "es_MX", parameters: ["a", "b"] })).toEqual({ "1": "a", "2": "b" });
    const variables = { "10": "j", "2": "b", "1": "a" };
    expect(templateVariables({ name: "x", language: "es_MX", parameters: [], variables })).toBe(variables);
    expect(templateParameters({ name: "x", language: "es_MX", parameters: [], variables })).toEqual(["a", "b", "j"]);
  });
});

// The local WhatsApp provider stand-in: it refuses what the real APIs refuse, answers in their
// shapes, records what it received and fails on request.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "./free-port.ts";
import { startWhatsAppProviders, type LocalWhatsAppProviders, type RecordedRequest } from "./whatsapp-providers.ts";

let fake: LocalWhatsAppProviders;

beforeAll(async () => {
  fake = await startWhatsAppProviders({ port: await freePort() });
});
afterAll(async () => {
  await fake?.stop();
});
beforeEach(async () => {
  await fetch(`${fake.url}/__reset`, { method: "POST" });
});

const control = (path: string, body: unknown) =>
  fetch(`${fake.url}${path}`, { method: "POST", body: JSON.stringify(body) }).then((r) => r.status);

async function json(res: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const metaText = {
  messaging_product: "whatsapp",
  recipient_type: "individual",
  to: "525512345678",
  type: "text",
  text: { body: "hola", preview_url: false },
};

function meta(phoneNumberId: string, token: string, body: unknown = metaText) {
  return fetch(`${fake.baseUrls.WHATSAPP_GRAPH_BASE_URL}/v21.0/${phoneNumberId}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then(json);
}

const SID = `AC${"0".repeat(32)}`;
function twilio(fields: Record<string, string>, auth = `${SID}:tok`) {
  return fetch(`${fake.baseUrls.TWILIO_API_BASE_URL}/2010-04-01/Accounts/${SID}/Messages.json`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(auth).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields).toString(),
  }).then(json);
}

describe("Meta Cloud API", () => {
  it("a valid text → 200 with a wamid, recorded", async () => {
    const res = await meta("1065", "any-token");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      messaging_product: "whatsapp",
      contacts: [{ input: "525512345678", wa_id: "525512345678" }],
      messages: [{ id: expect.stringMatching(/^wamid\./) }],
    });
    const recorded = (await (await fetch(`${fake.url}/__requests?provider=meta&key=1065`)).json()) as RecordedRequest[];
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ provider: "meta", key: "1065", status: 200, body: metaText });
    expect(recorded[0]!.headers.authorization).toBe("Bearer any-token");
  });

  it("a registered channel must present its own token (190, 401); the 'invalid' convention otherwise", async () => {
    await control("/__channels", { provider: "meta", phoneNumberId: "2001", accessToken: "right" });
    expect((await meta("2001", "right")).status).toBe(200);
    const wrong = await meta("2001", "wrong");
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 190, type: "OAuthException", fbtrace_id: expect.any(String) } });
    expect((await meta("2002", "invalid-token")).status).toBe(401);
  });

  it("refuses malformed bodies with (#100)", async () => {
    for (const body of [
      { ...metaText, messaging_product: "sms" },
      { ...metaText, to: "55-1234" },
      { ...metaText, text: { body: "" } },
      { ...metaText, type: "document", document: { link: "ftp://files.example/x.pdf" } },
      { ...metaText, type: "template", template: { name: "Recordatorio Pago", language: { code: "es_MX" } } },
      {
        ...metaText,
        type: "template",
        template: { name: "ok", language: { code: "es_MX" }, components: [{ type: "body", parameters: [] }] },
      },
    ]) {
      const res = await meta("3001", "t", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 100, error_data: { details: expect.any(String) } } });
    }
  });

  it("fails the next valid send of that number with the requested error, then succeeds again", async () => {
    await control("/__fail", { provider: "meta", key: "4001", code: 131047 });
    expect((await meta("4002", "t")).status).toBe(200);
    const failed = await meta("4001", "t");
    expect(failed).toMatchObject({
      status: 400,
      body: { error: { code: 131047, message: "(#131047) Re-engagement message" } },
    });
    expect((await meta("4001", "t")).status).toBe(200);
    await control("/__fail", { provider: "meta", code: 500 });
    expect((await meta("4003", "t")).status).toBe(500);
  });

  it("answers with a chosen id", async () => {
    await control("/__next-id", { provider: "meta", key: "5001", id: "wamid.CHOSEN" });
    expect((await meta("5001", "t")).body).toMatchObject({ messages: [{ id: "wamid.CHOSEN" }] });
  });
});

describe("360dialog", () => {
  const send = (apiKey: string) =>
    fetch(`${fake.baseUrls.WHATSAPP_360DIALOG_BASE_URL}/messages`, {
      method: "POST",
      headers: { "d360-api-key": apiKey, "content-type": "application/json" },
      body: JSON.stringify(metaText),
    }).then(json);

  it("the Cloud API body with D360-API-KEY; a missing or invalid key is 401", async () => {
    expect((await send("key-1")).body).toMatchObject({ messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect((await send("")).status).toBe(401);
    expect((await send("invalid-key")).status).toBe(401);
    await control("/__fail", { provider: "360dialog", key: "key-2", code: 131026 });
    expect(await send("key-2")).toMatchObject({ status: 400, body: { error: { code: 131026 } } });
  });
});

describe("Twilio", () => {
  const text = { From: "whatsapp:+525541690000", To: "whatsapp:+525512345678", Body: "hola" };

  it("a form send with Basic auth → 201 queued with an SM sid", async () => {
    const res = await twilio(text);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: "queued", to: text.To });
  });

  it("auth, recipient, content and sender checks, with Twilio's codes", async () => {
    expect((await twilio(text, `${SID}:invalid`)).body).toMatchObject({ code: 20003, status: 401 });
    expect((await twilio(text, `ACother:tok`)).body).toMatchObject({ code: 20003 });
    expect((await twilio({ ...text, To: "whatsapp:5512345678" })).body).toMatchObject({ code: 21211, status: 400 });
    expect((await twilio({ From: text.From, To: text.To })).body).toMatchObject({ code: 21619 });
    expect((await twilio({ ...text, Body: "x".repeat(1601) })).body).toMatchObject({ code: 21617 });
    expect((await twilio({ From: text.From, To: text.To, ContentSid: "HXnope" })).body).toMatchObject({ code: 21656 });
    const template = {
      From: text.From,
      To: text.To,
      ContentSid: `HX${"a".repeat(32)}`,
      ContentVariables: '{"1":"Lupita"}',
    };
    expect((await twilio(template)).status).toBe(201);
    await control("/__channels", {
      provider: "twilio",
      accountSid: SID,
      authToken: "tok",
      sender: "whatsapp:+525500000000",
    });
    expect((await twilio(text)).body).toMatchObject({ code: 63007 });
  });

  it("fails on request with 63016", async () => {
    await control("/__fail", { provider: "twilio", key: SID, code: 63016 });
    expect((await twilio(text)).body).toMatchObject({
      code: 63016,
      more_info: "https://www.twilio.com/docs/errors/63016",
    });
    expect((await twilio(text)).status).toBe(201);
  });
});

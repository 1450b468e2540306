import { describe, expect, it, vi } from "vitest";
import { api, createTenant, tokenFor } from "../../../test/support/harness.ts";
import { testEnv } from "../../../test/support/env.ts";
import { callWith, metaChannel, twilioChannel } from "../../../test/support/whatsapp-fixtures.ts";
import { conversation, FIXTURES, metaBody, postMeta, postTwilio } from "../../../test/support/whatsapp-deliveries.ts";
import { hexHmacSha256 } from "../../../core/whatsapp/signatures.ts";
import { MAX_BODY_BYTES } from "../../../core/whatsapp/limits.ts";
import type { Channel } from "../channels/channel-schema.ts";

const LUPITA = "525512345678";
const encoder = new TextEncoder();

async function connect(body: { credentials: Record<string, string> } & Record<string, unknown>) {
  const tenant = await createTenant();
  const token = await tokenFor(tenant, { role: "admin" });
  const res = await api("/v1/whatsapp/channels", { method: "POST", token, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return { tenant, token, channel: (await res.json()) as Channel, credentials: body.credentials };
}

function post(path: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>) {
  return api(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

async function expectProblem(res: Response, status: number) {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
}

describe("WhatsApp webhooks: refused deliveries store nothing", () => {
  it("missing, malformed or wrong signatures, a wrong secret and one changed byte → 401", async () => {
    const { channel, credentials } = await connect(metaChannel());
    const path = `/webhooks/whatsapp/meta/${channel.id}`;
    const body = metaBody(FIXTURES.text, channel.phoneNumberId!);
    const good = await hexHmacSha256(credentials.appSecret!, encoder.encode(body));
    const wrongSecret = await hexHmacSha256(`${credentials.appSecret!}x`, encoder.encode(body));
    const changed = body.replace("mañana", "mañanA");
    const attempts: Record<string, string>[] = [
      {},
      { "x-hub-signature-256": good }, // no "sha256=" prefix
      { "x-hub-signature-256": "sha256=zz" },
      { "x-hub-signature-256": `sha256=${wrongSecret}` },
      { "x-360dialog-signature": good }, // another provider's header
    ];
    for (const headers of attempts) {
      await expectProblem(await post(path, body, headers), 401);
    }
    await expectProblem(await post(path, changed, { "x-hub-signature-256": `sha256=${good}` }), 401);
    expect(await conversation(channel.id, LUPITA).summary()).toBeNull();
  });

  it("logs the reason, never the body, the signature or the customer's number", async () => {
    const { channel } = await connect(metaChannel());
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      const res = await callWith({ ...testEnv, LOG_LEVEL: "debug" }, `/webhooks/whatsapp/meta/${channel.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"ab".repeat(32)}` },
        body: metaBody(FIXTURES.text, channel.phoneNumberId!),
      });
      expect(res.status).toBe(401);
    } finally {
      spy.mockRestore();
    }
    const text = lines.join("\n");
    expect(text).toContain('"refused":"signature_mismatch"');
    expect(text).not.toContain("5215512345678");
    expect(text).not.toContain("cotización");
    expect(text).not.toContain("ab".repeat(32));
  });

  it("an unknown channel, or the right channel under another provider's path → 404", async () => {
    const { channel, credentials } = await connect(metaChannel());
    const body = metaBody(FIXTURES.text, channel.phoneNumberId!);
    await expectProblem(await postMeta(crypto.randomUUID(), credentials.appSecret!, body), 404);
    await expectProblem(await postMeta("not-a-uuid", credentials.appSecret!, body), 404);
    await expectProblem(await postMeta(channel.id, credentials.appSecret!, body, "360dialog"), 404);
    expect(await conversation(channel.id, LUPITA).summary()).toBeNull();
  });

  it("a correctly signed delivery for another business number than the channel's → 403", async () => {
    const { channel, credentials } = await connect(metaChannel());
    // Signed with this channel's app secret (one Meta app may serve several numbers), but for another number.
    const res = await postMeta(channel.id, credentials.appSecret!, metaBody(FIXTURES.text, "999999999999999"));
    await expectProblem(res, 403);
    // The statuses fixture carries a second number's change beside this one's: the whole delivery is refused.
    await expectProblem(
      await postMeta(channel.id, credentials.appSecret!, metaBody(FIXTURES.statuses, channel.phoneNumberId!)),
      403,
    );
    expect(await conversation(channel.id, LUPITA).summary()).toBeNull();
  });

  it("a deleted channel's URL stops answering (its number may be connected again elsewhere)", async () => {
    const { channel, credentials, token } = await connect(metaChannel());
    expect((await api(`/v1/whatsapp/channels/${channel.id}`, { method: "DELETE", token })).status).toBe(204);
    await expectProblem(
      await postMeta(channel.id, credentials.appSecret!, metaBody(FIXTURES.text, channel.phoneNumberId!)),
      404,
    );
  });

  it("Twilio: a signature over another URL or other parameters → 401", async () => {
    const { channel, credentials } = await connect(twilioChannel());
    const params = { MessageSid: "SMsec01", From: "whatsapp:+5215512345678", To: channel.sender!, Body: "hola" };
    await expectProblem(await postTwilio(channel.id, credentials.authToken!, params, "https://evil.example/hook"), 401);
    // Signed for the configured URL, then one parameter changed on the way.
    const res = await postTwilio(channel.id, credentials.authToken!, params, channel.signatureUrl!);
    expect(res.status).toBe(200);
    const tampered = await postTwilio(
      channel.id,
      credentials.authToken!,
      { ...params, MessageSid: "SMsec02" },
      "https://hooks.example.mx/other",
    );
    await expectProblem(tampered, 401);
    expect(await conversation(channel.id, LUPITA).getMessage("SMsec02")).toBeNull();
  });
});

describe("WhatsApp webhooks: bad payloads", () => {
  it("a signed body that is not JSON, or not a delivery → 400; nothing stored", async () => {
    const { channel, credentials } = await connect(metaChannel());
    await expectProblem(await postMeta(channel.id, credentials.appSecret!, "{not json"), 400);
    await expectProblem(await postMeta(channel.id, credentials.appSecret!, JSON.stringify({ entry: "x" })), 400);
  });

  it("a body over 3 MiB → 413 before it is read in full", async () => {
    const { channel } = await connect(metaChannel());
    const big = new Uint8Array(MAX_BODY_BYTES + 1).fill(0x20);
    await expectProblem(
      await post(`/webhooks/whatsapp/meta/${channel.id}`, big, { "x-hub-signature-256": `sha256=${"0".repeat(64)}` }),
      413,
    );
  });

  it("the subscription check: wrong mode, no challenge or a non-Meta channel → 403/404", async () => {
    const { channel, credentials } = await connect(metaChannel());
    const token = encodeURIComponent(credentials.verifyToken!);
    const base = `/webhooks/whatsapp/meta/${channel.id}`;
    await expectProblem(await api(`${base}?hub.mode=unsubscribe&hub.verify_token=${token}&hub.challenge=1`), 403);
    await expectProblem(await api(`${base}?hub.mode=subscribe&hub.verify_token=${token}`), 403);
    await expectProblem(
      await api(`${base}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=%3Cscript%3E`),
      403,
    );
    const twilio = await connect(twilioChannel());
    await expectProblem(
      await api(`/webhooks/whatsapp/twilio/${twilio.channel.id}?hub.mode=subscribe&hub.challenge=1`),
      404,
    );
  });
});

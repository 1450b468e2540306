import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { consumeQuota } from "../../../durable-objects/tenant-limiter-client.ts";
import type { Env } from "../../../platform/env.ts";
import { api, ownerSql, problem, tokenFor } from "../../../test/support/harness.ts";
import { conversation } from "../../../test/support/whatsapp-deliveries.ts";
import {
  DOCUMENT,
  LUPITA,
  TEMPLATE,
  fakeControl,
  fakeRequests,
  openConversation,
  send,
} from "../../../test/support/whatsapp-send.ts";

type Problem = Awaited<ReturnType<typeof problem>> & { providerCode?: string | null; provider?: string };

describe("the 24-hour window", () => {
  it("text and document after the window closed → 422 WINDOW_CLOSED, no provider call", async () => {
    const conv = await openConversation("meta", { window: "closed" });
    for (const body of [
      { type: "text", text: "hola" },
      { type: "document", document: DOCUMENT },
    ]) {
      const res = await send(conv, body);
      expect(res.status).toBe(422);
      expect(await problem(res)).toMatchObject({ code: "WINDOW_CLOSED", windowExpiresAt: "2025-06-09T20:59:43.000Z" });
    }
    expect(await fakeRequests("meta", conv.fakeKey)).toHaveLength(0);
    expect((await conversation(conv.channel.id, LUPITA).summary())?.messageCount).toBe(1);
  });
});

describe("provider refusals become problems with the provider's code", () => {
  it.each([
    ["meta", 131047, 422, "WINDOW_CLOSED"],
    ["meta", 131026, 422, "RECIPIENT_UNREACHABLE"],
    ["360dialog", 131047, 422, "WINDOW_CLOSED"],
    ["meta", 100, 422, "PROVIDER_REJECTED"],
    ["meta", 500, 502, "PROVIDER_UNAVAILABLE"],
    ["twilio", 63016, 422, "WINDOW_CLOSED"],
    ["twilio", 21211, 422, "RECIPIENT_UNREACHABLE"],
    ["twilio", 500, 502, "PROVIDER_UNAVAILABLE"],
  ] as const)("%s %s → %i %s; nothing recorded", async (provider, code, status, problemCode) => {
    const conv = await openConversation(provider);
    await fakeControl("/__fail", { provider, key: conv.fakeKey, code });
    const res = await send(conv, { type: "text", text: "hola" });
    expect(res.status).toBe(status);
    const p = (await problem(res)) as Problem;
    expect(p).toMatchObject({ code: problemCode, provider });
    if (code !== 500) expect(p.providerCode).toBe(String(code));
    expect(p.detail).toMatch(/[áéíóúñ]|rechaz|pudo|puede/);
    expect((await conversation(conv.channel.id, LUPITA).summary())?.messageCount).toBe(1);
  });

  it.each(["meta", "twilio"] as const)(
    "%s refuses the channel's credentials → 502 telling the admin to check the channel",
    async (provider) => {
      const conv = await openConversation(provider);
      // The fake now expects other credentials for this number/account than the channel holds.
      await fakeControl(
        "/__channels",
        provider === "meta"
          ? { provider, phoneNumberId: conv.fakeKey, accessToken: "rotated-elsewhere" }
          : { provider, accountSid: conv.fakeKey, authToken: "rotated-elsewhere", sender: conv.channel.sender },
      );
      const res = await send(conv, {
        type: "template",
        template: provider === "twilio" ? { ...TEMPLATE, contentSid: "HX0123456789abcdef0123456789abcdef" } : TEMPLATE,
      });
      expect(res.status).toBe(502);
      const p = (await problem(res)) as Problem;
      expect(p).toMatchObject({ code: "PROVIDER_CREDENTIALS", providerCode: provider === "meta" ? "190" : "20003" });
      expect(p.detail).toContain("administrador debe revisar las credenciales");
      expect(JSON.stringify(p)).not.toContain(conv.credentials.accessToken ?? conv.credentials.authToken!);
    },
  );
});

describe("quota and input", () => {
  it("the tenant's daily whatsapp:send quota exhausted → 429 with Retry-After, no provider call", async () => {
    const conv = await openConversation("meta");
    expect((await consumeQuota(env as Env, conv.tenant.id, "whatsapp:send", 1_000)).allowed).toBe(true);
    const withAndWithoutKey: Record<string, string>[] = [{}, { "idempotency-key": `q-${crypto.randomUUID()}` }];
    for (const headers of withAndWithoutKey) {
      const res = await send(conv, { type: "text", text: "hola" }, headers);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await problem(res)).toMatchObject({ code: "RATE_LIMITED", quota: "whatsapp:send" });
    }
    expect(await fakeRequests("meta", conv.fakeKey)).toHaveLength(0);
  });

  it("a refusal after the key is claimed but before the provider call gives the key back (a retry is decided afresh)", async () => {
    const conv = await openConversation("meta");
    const admin = await tokenFor(conv.tenant, { role: "admin" });
    // The channel is disconnected after the conversation opened: the send finds no channel.
    expect((await api(`/v1/whatsapp/channels/${conv.channel.id}`, { method: "DELETE", token: admin })).status).toBe(
      204,
    );
    const key = `gone-${crypto.randomUUID()}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await send(conv, { type: "text", text: "hola" }, { "idempotency-key": key });
      expect(res.status).toBe(409);
      expect(res.headers.get("idempotent-replayed")).toBeNull();
    }
    // RLS is forced for the owner too: look under the tenant.
    const [, rows] = await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${conv.tenant.id}, true)`,
      ownerSql`select key from idempotency_keys where key = ${key}`,
    ]);
    expect(rows).toEqual([]);
    expect(await fakeRequests("meta", conv.fakeKey)).toHaveLength(0);
  });

  it("a provider refusal counts against the quota; a window refusal does not", async () => {
    const conv = await openConversation("meta");
    await consumeQuota(env as Env, conv.tenant.id, "whatsapp:send", 998);
    expect((await send(conv, { type: "text", text: "x".repeat(10) })).status).toBe(201);
    await fakeControl("/__fail", { provider: "meta", key: conv.fakeKey, code: 131026 });
    expect((await send(conv, { type: "text", text: "hola" })).status).toBe(422);
    expect((await send(conv, { type: "template", template: TEMPLATE })).status).toBe(429);
  });

  it("rules per provider and shape: 422 / 400 before anything is sent", async () => {
    const twilio = await openConversation("twilio");
    const noSid = await send(twilio, { type: "template", template: TEMPLATE });
    expect(noSid.status).toBe(422);
    expect((await problem(noSid)).errors?.[0]?.path).toBe("body.template.contentSid");
    expect((await send(twilio, { type: "text", text: "x".repeat(1_601) })).status).toBe(422);
    expect(await fakeRequests("twilio", twilio.fakeKey)).toHaveLength(0);

    const meta = await openConversation("meta");
    const withSid = await send(meta, {
      type: "template",
      template: { ...TEMPLATE, contentSid: "HX0123456789abcdef0123456789abcdef" },
    });
    expect(withSid.status).toBe(422);
    for (const body of [
      { type: "text", text: "" },
      { type: "text", text: "x".repeat(4_097) },
      { type: "document", document: { url: "http://files.example.mx/x.pdf" } },
      { type: "template", template: { name: "Recordatorio Pago", language: "es_MX" } },
      { type: "audio", audio: {} },
    ]) {
      expect((await send(meta, body)).status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect(await fakeRequests("meta", meta.fakeKey)).toHaveLength(0);
  });

  it("another tenant's conversation, or an unknown one, is a 404", async () => {
    const mine = await openConversation("meta");
    const other = await openConversation("meta");
    const res = await send(
      { conversationId: other.conversationId, token: mine.token },
      { type: "template", template: TEMPLATE },
    );
    expect(res.status).toBe(404);
    expect(
      (await send({ conversationId: crypto.randomUUID(), token: mine.token }, { type: "text", text: "x" })).status,
    ).toBe(404);
    expect(await fakeRequests("meta", other.fakeKey)).toHaveLength(0);
  });
});

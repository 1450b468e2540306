import { describe, expect, it } from "vitest";
import type { Env } from "../../../platform/env.ts";
import { testEnv } from "../../../test/support/env.ts";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../../test/support/harness.ts";
import { callWith, dialogChannel, metaChannel, twilioChannel } from "../../../test/support/whatsapp-fixtures.ts";
import type { Channel } from "./channel-schema.ts";

async function admin() {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant, { role: "admin" }) };
}

const post = (token: string, json: unknown) => api("/v1/whatsapp/channels", { method: "POST", token, json });
const paths = (p: { errors?: { path: string }[] }) => (p.errors ?? []).map((e) => e.path).sort();

describe("WhatsApp channels: validation per provider", () => {
  it("meta: phoneNumberId and its three credentials are required (422 naming each)", async () => {
    const { token } = await admin();
    const res = await post(token, {
      provider: "meta",
      credentials: { appSecret: "x" },
    });
    expect(res.status).toBe(422);
    const p = await problem(res);
    expect(p.code).toBe("UNPROCESSABLE");
    expect(paths(p)).toEqual(["body.credentials.accessToken", "body.credentials.verifyToken", "body.phoneNumberId"]);
  });

  it("360dialog: apiKey and webhookSecret; twilio: sender, accountSid and authToken", async () => {
    const { token } = await admin();
    const dialog = await problem(await post(token, { ...dialogChannel(), credentials: { apiKey: "k" } }));
    expect(dialog.status).toBe(422);
    expect(paths(dialog)).toEqual(["body.credentials.webhookSecret"]);
    const twilio = await problem(await post(token, { provider: "twilio", credentials: {} }));
    expect(twilio.status).toBe(422);
    expect(paths(twilio)).toEqual(["body.accountSid", "body.credentials.authToken", "body.sender"]);
  });

  it("malformed numbers are 400 field errors", async () => {
    const { token } = await admin();
    for (const [body, path] of [
      [metaChannel({ phoneNumberId: "+52 55 4169 0000" }), "body.phoneNumberId"],
      [twilioChannel({ sender: "+525541690000" }), "body.sender"],
      [twilioChannel({ accountSid: "AC123" }), "body.accountSid"],
      [metaChannel({ provider: "telegram" }), "body.provider"],
      [twilioChannel({ signatureUrl: "ftp://hooks.example.mx/x" }), "body.signatureUrl"],
      [
        metaChannel({ credentials: { appSecret: "", accessToken: "a", verifyToken: "v" } }),
        "body.credentials.appSecret",
      ],
    ] as const) {
      const res = await post(token, body);
      expect(res.status, path).toBe(400);
      expect(paths(await problem(res)), path).toContain(path);
    }
  });

  it("unknown credential names and fields foreign to the provider are 422, and nothing is stored", async () => {
    const { tenant, token } = await admin();
    const base = metaChannel();
    const unknown = await problem(
      await post(token, { ...base, credentials: { ...base.credentials, password: "hunter2" } }),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.errors).toEqual([
      { path: "body.credentials.password", message: "credencial desconocida", code: "unknown_credential" },
    ]);
    const foreign = await problem(
      await post(token, {
        ...base,
        sender: "whatsapp:+525541690000",
        credentials: { ...base.credentials, authToken: "t" },
      }),
    );
    expect(foreign.status).toBe(422);
    expect(paths(foreign)).toEqual(["body.credentials.authToken", "body.sender"]);
    const [row] = (await ownerSql`select count(*)::int as n from whatsapp_channels where tenant_id = ${tenant.id}`) as {
      n: number;
    }[];
    expect(row?.n).toBe(0);
  });

  it("PATCH: at least one field, the provider's rules still hold after the merge, 404 for an unknown id", async () => {
    const { token } = await admin();
    const channel = (await (await post(token, metaChannel())).json()) as Channel;
    const patch = (json: unknown, id = channel.id) =>
      api(`/v1/whatsapp/channels/${id}`, { method: "PATCH", token, json });
    expect((await patch({})).status).toBe(400);
    const cleared = await problem(await patch({ phoneNumberId: null }));
    expect(cleared.status).toBe(422);
    expect(paths(cleared)).toEqual(["body.phoneNumberId"]);
    const unknown = await problem(await patch({ credentials: { authToken: "x", secreto: "y" } }));
    expect(unknown.status).toBe(422);
    expect(paths(unknown)).toEqual(["body.credentials.authToken", "body.credentials.secreto"]);
    expect((await patch({ provider: "twilio" })).status).toBe(400);
    expect((await patch({ name: "x" }, crypto.randomUUID())).status).toBe(404);
    expect((await patch({ name: "x" }, "not-a-uuid")).status).toBe(400);
  });
});

describe("WhatsApp channels: one live channel per number across all tenants", () => {
  it("409 CHANNEL_NUMBER_TAKEN for a phone number id or a sender another tenant connected, with no partial write", async () => {
    const a = await admin();
    const b = await admin();
    const meta = metaChannel();
    const twilio = twilioChannel();
    expect((await post(a.token, meta)).status).toBe(201);
    expect((await post(a.token, twilio)).status).toBe(201);

    for (const [body, field] of [
      [{ ...dialogChannel(), phoneNumberId: meta.phoneNumberId }, "phoneNumberId"],
      [{ ...twilioChannel(), sender: twilio.sender }, "sender"],
    ] as const) {
      const res = await post(b.token, body);
      expect(res.status).toBe(409);
      const p = await problem(res);
      expect(p.code).toBe("CHANNEL_NUMBER_TAKEN");
      expect(p.errors).toEqual([
        { path: `body.${field}`, message: "este número ya está conectado a otro canal", code: "duplicate" },
      ]);
      // Nothing about the holder.
      expect(JSON.stringify(p)).not.toContain(a.tenant.id);
    }
    const [counts] = (await ownerSql`select
        (select count(*)::int from whatsapp_channels where tenant_id = ${b.tenant.id}) as channels,
        (select count(*)::int from outbox where tenant_id = ${b.tenant.id}) as events`) as {
      channels: number;
      events: number;
    }[];
    expect(counts).toEqual({ channels: 0, events: 0 });

    // Within a tenant too, and by PATCH.
    expect((await post(a.token, { ...metaChannel(), phoneNumberId: meta.phoneNumberId })).status).toBe(409);
    const mine = (await (await post(b.token, metaChannel())).json()) as Channel;
    const patched = await api(`/v1/whatsapp/channels/${mine.id}`, {
      method: "PATCH",
      token: b.token,
      json: { phoneNumberId: meta.phoneNumberId },
    });
    expect(patched.status).toBe(409);
    expect((await problem(patched)).code).toBe("CHANNEL_NUMBER_TAKEN");
  });
});

describe("WhatsApp channels without ENCRYPTION_SECRET", () => {
  const noSecret: Env = { ...testEnv, ENCRYPTION_SECRET: undefined };

  it("writes answer 503 ENCRYPTION_NOT_CONFIGURED; reads and deletes still work", async () => {
    const { token } = await admin();
    const channel = (await (await post(token, metaChannel())).json()) as Channel;
    const created = await callWith(noSecret, "/v1/whatsapp/channels", { method: "POST", token, json: metaChannel() });
    expect(created.status).toBe(503);
    expect((await problem(created)).code).toBe("ENCRYPTION_NOT_CONFIGURED");
    const patched = await callWith(noSecret, `/v1/whatsapp/channels/${channel.id}`, {
      method: "PATCH",
      token,
      json: { name: "x" },
    });
    expect(patched.status).toBe(503);
    expect((await callWith(noSecret, `/v1/whatsapp/channels/${channel.id}`, { token })).status).toBe(200);
    expect((await callWith(noSecret, `/v1/whatsapp/channels/${channel.id}`, { method: "DELETE", token })).status).toBe(
      204,
    );
  });
});

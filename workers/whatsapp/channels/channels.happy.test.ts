import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../platform/env.ts";
import { testEnv } from "../../../test/support/env.ts";
import { api, createTenant, ownerSql, tokenFor } from "../../../test/support/harness.ts";
import { dialogChannel, metaChannel, secretValue, twilioChannel } from "../../../test/support/whatsapp-fixtures.ts";
import { lookupWebhookChannel } from "../channel-lookup.ts";
import type { Channel } from "./channel-schema.ts";

const config = loadConfig(testEnv);
const origin = (testEnv.PUBLIC_BASE_URL ?? "http://crm.test").replace(/\/+$/, "");

async function adminOfNewTenant() {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant, { role: "admin" }) };
}

async function create(token: string, body: unknown): Promise<Channel> {
  const res = await api("/v1/whatsapp/channels", { method: "POST", token, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Channel;
}

describe("WhatsApp channels: happy paths", () => {
  it("connects a Meta number: 201 with the webhook URL and credential names, readable by GET and list", async () => {
    const { tenant, token } = await adminOfNewTenant();
    const body = metaChannel();
    const res = await api("/v1/whatsapp/channels", { method: "POST", token, json: body });
    expect(res.status).toBe(201);
    const channel = (await res.json()) as Channel;
    expect(res.headers.get("location")).toBe(`/v1/whatsapp/channels/${channel.id}`);
    expect(channel).toEqual({
      id: expect.any(String),
      provider: "meta",
      name: "Ventas CDMX",
      phoneNumberId: body.phoneNumberId,
      displayPhoneNumber: "525541690000",
      wabaId: body.wabaId,
      sender: null,
      accountSid: null,
      signatureUrl: null,
      webhookUrl: `${origin}/webhooks/whatsapp/meta/${channel.id}`,
      credentialsSet: ["appSecret", "accessToken", "verifyToken"],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // Any role of the tenant may read channels (never their credentials).
    const user = await tokenFor(tenant, { role: "user" });
    const got = await api(`/v1/whatsapp/channels/${channel.id}`, { token: user });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(channel);
    const list = (await (await api("/v1/whatsapp/channels", { token: user })).json()) as { data: Channel[] };
    expect(list.data).toEqual([channel]);
  });

  it("connects 360dialog and Twilio numbers with their own fields", async () => {
    const { token } = await adminOfNewTenant();
    const dialog = await create(token, dialogChannel());
    expect(dialog).toMatchObject({ provider: "360dialog", credentialsSet: ["webhookSecret", "apiKey"] });
    expect(dialog.webhookUrl).toBe(`${origin}/webhooks/whatsapp/360dialog/${dialog.id}`);
    const body = twilioChannel();
    const twilio = await create(token, body);
    expect(twilio).toMatchObject({
      provider: "twilio",
      phoneNumberId: null,
      sender: body.sender,
      accountSid: body.accountSid,
      signatureUrl: "https://hooks.example.mx/webhooks/twilio/whatsapp?canal=wa",
      credentialsSet: ["authToken"],
    });
    const list = (await (await api("/v1/whatsapp/channels?sort=created", { token })).json()) as { data: Channel[] };
    expect(list.data.map((c) => c.id)).toEqual([dialog.id, twilio.id]);
  });

  it("PATCH merges credentials (given names replaced, others kept), as the webhook lookup opens them", async () => {
    const { tenant, token } = await adminOfNewTenant();
    const body = metaChannel();
    const channel = await create(token, body);
    // Warm this isolate's lookup cache: the PATCH must invalidate it.
    const before = await lookupWebhookChannel(config, "meta", channel.id);
    expect(before?.credentials).toEqual(body.credentials);

    const accessToken = secretValue("rotated");
    const res = await api(`/v1/whatsapp/channels/${channel.id}`, {
      method: "PATCH",
      token,
      json: { name: "Ventas Monterrey", credentials: { accessToken } },
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as Channel;
    expect(updated).toMatchObject({
      name: "Ventas Monterrey",
      phoneNumberId: body.phoneNumberId,
      credentialsSet: ["appSecret", "accessToken", "verifyToken"],
    });
    expect(updated.updatedAt >= channel.updatedAt).toBe(true);

    const after = await lookupWebhookChannel(config, "meta", channel.id);
    expect(after).toEqual({
      id: channel.id,
      tenantId: tenant.id,
      provider: "meta",
      phoneNumberId: body.phoneNumberId,
      sender: null,
      signatureUrl: null,
      credentials: { ...body.credentials, accessToken },
    });
    // A PATCH without credentials keeps them all.
    expect(
      (await api(`/v1/whatsapp/channels/${channel.id}`, { method: "PATCH", token, json: { name: null } })).status,
    ).toBe(200);
    expect((await lookupWebhookChannel(config, "meta", channel.id))?.credentials).toEqual({
      ...body.credentials,
      accessToken,
    });
  });

  it("parallel PATCHes of different credentials both land (the merge is guarded by the version read)", async () => {
    const { token } = await adminOfNewTenant();
    const body = metaChannel();
    const channel = await create(token, body);
    const appSecret = secretValue("parallel-app");
    const accessToken = secretValue("parallel-access");
    const results = await Promise.all(
      [{ appSecret }, { accessToken }].map((credentials) =>
        api(`/v1/whatsapp/channels/${channel.id}`, { method: "PATCH", token, json: { credentials } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect((await lookupWebhookChannel(config, "meta", channel.id))?.credentials).toEqual({
      ...body.credentials,
      appSecret,
      accessToken,
    });
  });

  it("the webhook lookup answers null for another provider's URL, an unknown id, or not a uuid", async () => {
    const { token } = await adminOfNewTenant();
    const body = twilioChannel();
    const channel = await create(token, body);
    expect(await lookupWebhookChannel(config, "twilio", channel.id)).toMatchObject({
      sender: body.sender,
      signatureUrl: body.signatureUrl,
      credentials: body.credentials,
    });
    expect(await lookupWebhookChannel(config, "meta", channel.id)).toBeNull();
    expect(await lookupWebhookChannel(config, "telegram", channel.id)).toBeNull();
    expect(await lookupWebhookChannel(config, "twilio", crypto.randomUUID())).toBeNull();
    expect(await lookupWebhookChannel(config, "twilio", "1 or 1=1")).toBeNull();
  });

  it("DELETE soft-deletes: 204, then 404, gone from the list and the lookup, and the number is free again", async () => {
    const { tenant, token } = await adminOfNewTenant();
    const body = metaChannel();
    const channel = await create(token, body);
    expect(await lookupWebhookChannel(config, "meta", channel.id)).not.toBeNull();

    const del = await api(`/v1/whatsapp/channels/${channel.id}`, { method: "DELETE", token });
    expect(del.status).toBe(204);
    expect((await api(`/v1/whatsapp/channels/${channel.id}`, { token })).status).toBe(404);
    expect((await api(`/v1/whatsapp/channels/${channel.id}`, { method: "DELETE", token })).status).toBe(404);
    expect(((await (await api("/v1/whatsapp/channels", { token })).json()) as { data: unknown[] }).data).toEqual([]);
    expect(await lookupWebhookChannel(config, "meta", channel.id)).toBeNull();
    // The row stays (conversations refer to it), marked deleted.
    const [row] = (await ownerSql`select deleted_at from whatsapp_channels where id = ${channel.id}`) as {
      deleted_at: string | null;
    }[];
    expect(row?.deleted_at).not.toBeNull();

    // The same number connects again, in another tenant too.
    const other = await adminOfNewTenant();
    const again = await create(other.token, { ...metaChannel(), phoneNumberId: body.phoneNumberId });
    expect(again.phoneNumberId).toBe(body.phoneNumberId);

    const events =
      (await ownerSql`select type, event from outbox where tenant_id = ${tenant.id} order by created_at`) as {
        type: string;
        event: { subject: string; data: Record<string, unknown> };
      }[];
    expect(events.map((e) => e.type)).toEqual(["WhatsApp.ChannelCreated", "WhatsApp.ChannelDeleted"]);
    for (const e of events) {
      expect(e.event.subject).toBe(channel.id);
      expect(e.event.data).not.toHaveProperty("credentialsEnvelope");
      expect(e.event.data.credentialNames).toEqual(["appSecret", "accessToken", "verifyToken"]);
    }
  });

  it("replays a POST with the same Idempotency-Key: one channel, the same body", async () => {
    const { token } = await adminOfNewTenant();
    const body = metaChannel();
    const headers = { "idempotency-key": "canal-whatsapp-1" };
    const first = await api("/v1/whatsapp/channels", { method: "POST", token, json: body, headers });
    expect(first.status).toBe(201);
    const second = await api("/v1/whatsapp/channels", { method: "POST", token, json: body, headers });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.json()).toEqual(await first.json());
    expect(((await (await api("/v1/whatsapp/channels", { token })).json()) as { data: unknown[] }).data).toHaveLength(
      1,
    );
  });

  it("documents the channel routes in /openapi.json, credentials as write-only input", async () => {
    const res = await api("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.paths["/v1/whatsapp/channels"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/v1/whatsapp/channels/{id}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    expect(Object.keys(doc.components.schemas.WhatsAppChannel?.properties ?? {})).not.toContain("credentials");
    expect(Object.keys(doc.components.schemas.WhatsAppChannelCredentials?.properties ?? {})).toContain("appSecret");
  });
});

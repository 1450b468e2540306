import { afterEach, describe, expect, it, vi } from "vitest";
import { webhookChannel } from "../../../db/whatsapp/channel-store.ts";
import { loadConfig, type Env } from "../../../platform/env.ts";
import { webhookChannelWork } from "../../../platform/work.ts";
import { testEnv } from "../../../test/support/env.ts";
import { api, appSql, createTenant, ownerSql, tokenFor } from "../../../test/support/harness.ts";
import { callWith, metaChannel, secretValue, twilioChannel } from "../../../test/support/whatsapp-fixtures.ts";
import { lookupWebhookChannel } from "../channel-lookup.ts";
import type { Channel } from "./channel-schema.ts";

async function admin() {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant, { role: "admin" }) };
}

async function create(token: string, body: unknown): Promise<Channel> {
  const res = await api("/v1/whatsapp/channels", { method: "POST", token, json: body });
  expect(res.status).toBe(201);
  return (await res.json()) as Channel;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("WhatsApp channels: who may do what", () => {
  it("no token is 401; a user or manager may read but not write (403), an admin may", async () => {
    expect((await api("/v1/whatsapp/channels")).status).toBe(401);
    const { tenant, token } = await admin();
    const channel = await create(token, metaChannel());
    for (const role of ["user", "manager"] as const) {
      const other = await tokenFor(tenant, { role });
      expect((await api("/v1/whatsapp/channels", { token: other })).status).toBe(200);
      expect((await api(`/v1/whatsapp/channels/${channel.id}`, { token: other })).status).toBe(200);
      expect((await api("/v1/whatsapp/channels", { method: "POST", token: other, json: metaChannel() })).status).toBe(
        403,
      );
      expect(
        (await api(`/v1/whatsapp/channels/${channel.id}`, { method: "PATCH", token: other, json: { name: "x" } }))
          .status,
      ).toBe(403);
      expect((await api(`/v1/whatsapp/channels/${channel.id}`, { method: "DELETE", token: other })).status).toBe(403);
    }
    expect((await api(`/v1/whatsapp/channels/${channel.id}`, { token })).status).toBe(200);
  });

  it("another tenant's admin gets 404 on every {id} route and an empty list", async () => {
    const a = await admin();
    const b = await admin();
    const channel = await create(a.token, metaChannel());
    const url = `/v1/whatsapp/channels/${channel.id}`;
    expect((await api(url, { token: b.token })).status).toBe(404);
    expect((await api(url, { method: "PATCH", token: b.token, json: { name: "Hack" } })).status).toBe(404);
    expect(
      (await api(url, { method: "PATCH", token: b.token, json: { credentials: { accessToken: "hack" } } })).status,
    ).toBe(404);
    expect((await api(url, { method: "DELETE", token: b.token })).status).toBe(404);
    expect(
      ((await (await api("/v1/whatsapp/channels", { token: b.token })).json()) as { data: unknown[] }).data,
    ).toEqual([]);
    expect(await (await api(url, { token: a.token })).json()).toEqual(channel);
  });
});

describe("WhatsApp channels at the database", () => {
  it("crm_app under tenant B cannot read, change or take over tenant A's channel rows", async () => {
    const a = await admin();
    const b = await admin();
    const channel = await create(a.token, metaChannel());
    const asB = await appSql.transaction([
      appSql`select set_config('role', 'crm_app', true), set_config('app.tenant_id', ${b.tenant.id}, true)`,
      appSql`select id from whatsapp_channels where id = ${channel.id}`,
      appSql`select count(*)::int as n from whatsapp_channels where tenant_id = ${a.tenant.id}`,
      appSql`update whatsapp_channels set name = 'hack' where id = ${channel.id} returning id`,
    ]);
    expect(asB.slice(1)).toEqual([[], [{ n: 0 }], []]);
    await expect(
      appSql.transaction([
        appSql`select set_config('role', 'crm_app', true), set_config('app.tenant_id', ${b.tenant.id}, true)`,
        appSql`insert into whatsapp_channels (tenant_id, provider, phone_number_id, credentials_envelope) values (${a.tenant.id}, 'meta', '5550001', 'zsec1.x.y')`,
      ]),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("the webhook scope reads only the channel id it was opened for", async () => {
    const a = await admin();
    const b = await admin();
    const mine = await create(a.token, metaChannel());
    const theirs = await create(b.token, twilioChannel());
    const config = loadConfig(testEnv);
    const [own] = await webhookChannelWork(config, mine.id, () => undefined).run([webhookChannel(mine.id)]);
    expect(own.map((r) => r.id)).toEqual([mine.id]);
    // Opened for one channel, asking for another: nothing, whichever tenant it belongs to.
    const [other] = await webhookChannelWork(config, mine.id, () => undefined).run([webhookChannel(theirs.id)]);
    expect(other).toEqual([]);
    const [unknownScope] = await webhookChannelWork(config, crypto.randomUUID(), () => undefined).run([
      webhookChannel(mine.id),
    ]);
    expect(unknownScope).toEqual([]);
  });

  it("an envelope copied into another channel does not open there", async () => {
    const { token } = await admin();
    const victim = await create(token, metaChannel());
    const attacker = await create(token, metaChannel());
    await ownerSql`update whatsapp_channels set credentials_envelope = (select credentials_envelope from whatsapp_channels where id = ${victim.id}) where id = ${attacker.id}`;
    await expect(lookupWebhookChannel(loadConfig(testEnv), "meta", attacker.id)).rejects.toMatchObject({
      name: "SecretEnvelopeError",
    });
  });
});

describe("WhatsApp channels: credentials never leave", () => {
  it("no credential value in any response, stored idempotency row, event, log line, or the row itself", async () => {
    const debugLogs: Env = { ...testEnv, LOG_LEVEL: "debug" };
    const lines: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
    const { tenant, token } = await admin();
    const body = metaChannel();
    const rotated = secretValue("rotated");
    const refused = secretValue("refused");
    const secrets = [...Object.values(body.credentials), rotated, refused];
    const bodies: string[] = [];
    const call = async (path: string, init: Parameters<typeof callWith>[2]) => {
      const res = await callWith(debugLogs, path, init);
      bodies.push(await res.text());
      return res;
    };

    const created = await call("/v1/whatsapp/channels", {
      method: "POST",
      token,
      json: body,
      headers: { "idempotency-key": "sin-fugas-1" },
    });
    expect(created.status).toBe(201);
    const id = (JSON.parse(bodies[0] ?? "{}") as { id: string }).id;
    expect(
      (
        await call("/v1/whatsapp/channels", {
          method: "POST",
          token,
          json: body,
          headers: { "idempotency-key": "sin-fugas-1" },
        })
      ).status,
    ).toBe(201);
    expect((await call("/v1/whatsapp/channels", { method: "POST", token, json: body })).status).toBe(409);
    expect(
      (
        await call("/v1/whatsapp/channels", {
          method: "POST",
          token,
          json: { ...metaChannel(), credentials: { ...body.credentials, password: refused } },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await call(`/v1/whatsapp/channels/${id}`, {
          method: "PATCH",
          token,
          json: { credentials: { accessToken: rotated } },
        })
      ).status,
    ).toBe(200);
    expect((await call(`/v1/whatsapp/channels/${id}`, { token })).status).toBe(200);
    expect((await call("/v1/whatsapp/channels", { token })).status).toBe(200);
    expect((await call(`/v1/whatsapp/channels/${id}`, { method: "DELETE", token })).status).toBe(204);

    const stored = JSON.stringify([
      await ownerSql`select * from idempotency_keys where tenant_id = ${tenant.id}`,
      await ownerSql`select * from outbox where tenant_id = ${tenant.id}`,
      await ownerSql`select * from whatsapp_channels where tenant_id = ${tenant.id}`,
    ]);
    expect(stored).toContain("sin-fugas-1");
    expect(lines.some((l) => l.includes('"message":"request"'))).toBe(true);
    const everything = [...bodies, ...lines, stored].join("\n");
    for (const secret of secrets) expect(everything).not.toContain(secret);
    // Events carry the channel but not its sealed credentials either.
    expect(JSON.stringify(await ownerSql`select event from outbox where tenant_id = ${tenant.id}`)).not.toContain(
      "zsec1.",
    );
  });
});

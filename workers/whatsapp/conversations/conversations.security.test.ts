import { describe, expect, it } from "vitest";
import { api, createTenant, tokenFor } from "../../../test/support/harness.ts";
import {
  conversationIdOf,
  flushMirror,
  inbox,
  ingestText,
  LUPITA,
} from "../../../test/support/whatsapp-conversations.ts";

describe("WhatsApp inbox: another tenant's token", () => {
  it("sees 404 on every conversation and message route, nothing in lists, and changes nothing", async () => {
    const box = await inbox();
    const stub = await ingestText(box, LUPITA, "secreto-1", Date.now() - 1_000, "Información confidencial");
    await flushMirror(stub);
    const id = await conversationIdOf(box);
    const other = await createTenant();
    const token = await tokenFor(other, { role: "admin" });

    for (const [method, path, json] of [
      ["GET", `/v1/whatsapp/conversations/${id}`, undefined],
      ["GET", `/v1/whatsapp/conversations/${id}/messages`, undefined],
      ["POST", `/v1/whatsapp/conversations/${id}/read`, undefined],
      ["POST", `/v1/whatsapp/conversations/${id}/assign`, { userId: null }],
      ["POST", `/v1/whatsapp/conversations/${id}/close`, undefined],
      ["POST", `/v1/whatsapp/conversations/${id}/reopen`, undefined],
      ["PUT", `/v1/whatsapp/conversations/${id}/tags`, { tags: ["hack"] }],
      ["GET", "/v1/whatsapp/messages/secreto-1", undefined],
    ] as const) {
      const res = await api(path, { method, token, ...(json === undefined ? {} : { json }) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.text()).not.toContain("confidencial");
    }
    const list = (await (await api("/v1/whatsapp/conversations", { token })).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
    expect(await stub.summary()).toMatchObject({ status: "open", tags: [], unreadCount: 1, assignedTo: null });
  });

  it("cannot assign a conversation to a user of another tenant (422)", async () => {
    const box = await inbox();
    const stub = await ingestText(box, LUPITA, "l1", Date.now() - 1_000);
    await flushMirror(stub);
    const other = await createTenant();
    const outsider = crypto.randomUUID();
    // The outsider exists, in the other tenant.
    expect(
      (await api("/v1/whatsapp/conversations", { token: await tokenFor(other, { userId: outsider }) })).status,
    ).toBe(200);
    const res = await api(`/v1/whatsapp/conversations/${await conversationIdOf(box)}/assign`, {
      method: "POST",
      token: box.token,
      json: { userId: outsider },
    });
    expect(res.status).toBe(422);
    expect((await stub.summary())?.assignedTo).toBeNull();
  });

  it("needs a token", async () => {
    expect((await api("/v1/whatsapp/conversations")).status).toBe(401);
    expect((await api("/v1/whatsapp/messages/x")).status).toBe(401);
  });
});

import { describe, expect, it } from "vitest";
import { api, problem } from "../../../test/support/harness.ts";
import {
  conversationIdOf,
  flushMirror,
  inbox,
  ingestText,
  LUPITA,
} from "../../../test/support/whatsapp-conversations.ts";

async function opened() {
  const box = await inbox();
  const stub = await ingestText(box, LUPITA, "l1", Date.now() - 1_000, "Hola");
  await flushMirror(stub);
  return { box, id: await conversationIdOf(box) };
}

describe("WhatsApp inbox: bad input and missing things", () => {
  it("tags the object refuses are 422 naming body.tags; a body of the wrong shape is 400", async () => {
    const { box, id } = await opened();
    for (const tags of [["x".repeat(41)], Array.from({ length: 21 }, (_, i) => `t${i}`), ["  "], ["a\u0007b"]]) {
      const res = await api(`/v1/whatsapp/conversations/${id}/tags`, {
        method: "PUT",
        token: box.token,
        json: { tags },
      });
      expect(res.status, JSON.stringify(tags)).toBe(422);
      const p = await problem(res);
      expect(p.code).toBe("UNPROCESSABLE");
      expect(p.errors?.map((e) => e.path)).toEqual(["body.tags"]);
    }
    const wrong = await api(`/v1/whatsapp/conversations/${id}/tags`, {
      method: "PUT",
      token: box.token,
      json: { tags: "vip" },
    });
    expect(wrong.status).toBe(400);
  });

  it("assigning to a user who is not in the tenant is 422; a malformed user id is 400", async () => {
    const { box, id } = await opened();
    const res = await api(`/v1/whatsapp/conversations/${id}/assign`, {
      method: "POST",
      token: box.token,
      json: { userId: crypto.randomUUID() },
    });
    expect(res.status).toBe(422);
    expect((await problem(res)).errors?.map((e) => e.path)).toEqual(["body.userId"]);
    const bad = await api(`/v1/whatsapp/conversations/${id}/assign`, {
      method: "POST",
      token: box.token,
      json: { userId: "ana" },
    });
    expect(bad.status).toBe(400);
  });

  it("unknown conversations and messages are 404; malformed ids, cursors and filters are 400", async () => {
    const { box, id } = await opened();
    const unknown = crypto.randomUUID();
    for (const [method, path] of [
      ["GET", `/v1/whatsapp/conversations/${unknown}`],
      ["GET", `/v1/whatsapp/conversations/${unknown}/messages`],
      ["POST", `/v1/whatsapp/conversations/${unknown}/read`],
      ["POST", `/v1/whatsapp/conversations/${unknown}/close`],
      ["POST", `/v1/whatsapp/conversations/${unknown}/reopen`],
      ["GET", "/v1/whatsapp/messages/wamid.nunca"],
    ] as const) {
      const res = await api(path, { method, token: box.token });
      expect(res.status, path).toBe(404);
    }
    expect((await api("/v1/whatsapp/conversations/not-a-uuid", { token: box.token })).status).toBe(400);
    const cursor = await api(`/v1/whatsapp/conversations/${id}/messages?cursor=zzz`, { token: box.token });
    expect(cursor.status).toBe(400);
    expect((await problem(cursor)).errors?.map((e) => e.path)).toEqual(["query.cursor"]);
    expect((await api("/v1/whatsapp/conversations?cursor=zzz", { token: box.token })).status).toBe(400);
    expect((await api("/v1/whatsapp/conversations?status=archived", { token: box.token })).status).toBe(400);
    expect((await api(`/v1/whatsapp/conversations/${id}/messages?limit=101`, { token: box.token })).status).toBe(400);
  });
});

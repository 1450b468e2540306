import { describe, expect, it } from "vitest";
import { api, createTenant, problem, tokenFor } from "../../test/support/harness.ts";

describe("contacts: bad input", () => {
  it("reports field errors for invalid email and phone", async () => {
    const token = await tokenFor(await createTenant());
    const res = await api("/v1/contacts", {
      method: "POST",
      token,
      json: { firstName: "", email: "no-es-correo", phone: "12" },
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.errors?.map((e) => e.path).sort()).toEqual(["body.email", "body.firstName", "body.phone"]);
  });

  it("reports a duplicate email or phone with the existing id", async () => {
    const token = await tokenFor(await createTenant());
    const first = (await (
      await api("/v1/contacts", {
        method: "POST",
        token,
        json: { firstName: "A", email: "dup@example.mx", phone: "5512345678" },
      })
    ).json()) as { id: string };
    for (const json of [
      { firstName: "B", email: "DUP@example.mx" },
      { firstName: "C", phone: "+52 55 1234 5678" },
    ]) {
      const res = await api("/v1/contacts", { method: "POST", token, json });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { existingId: string }).existingId).toBe(first.id);
    }
  });

  it("rejects malformed JSON, a non-uuid id, a bad cursor and oversized custom fields without a 500", async () => {
    const token = await tokenFor(await createTenant());
    const malformed = await api("/v1/contacts", {
      method: "POST",
      token,
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect((await api("/v1/contacts/not-a-uuid", { token })).status).toBe(400);
    expect((await api("/v1/contacts?cursor=garbage", { token })).status).toBe(400);
    expect((await api("/v1/contacts?limit=500", { token })).status).toBe(400);
    const big = await api("/v1/contacts", {
      method: "POST",
      token,
      json: { firstName: "X", customFields: { blob: "x".repeat(9000) } },
    });
    expect(big.status).toBe(400);
    const badKey = await api("/v1/contacts", {
      method: "POST",
      token,
      headers: { "idempotency-key": "tiene espacios" },
      json: { firstName: "X" },
    });
    expect(badKey.status).toBe(400);
  });

  it("requires manager to delete", async () => {
    const tenant = await createTenant();
    const userToken = await tokenFor(tenant, { role: "user" });
    const created = (await (
      await api("/v1/contacts", { method: "POST", token: userToken, json: { firstName: "Z" } })
    ).json()) as { id: string };
    const res = await api(`/v1/contacts/${created.id}`, { method: "DELETE", token: userToken });
    expect(res.status).toBe(403);
  });
});

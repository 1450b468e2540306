import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

describe("leads: another tenant", () => {
  it("gets 404 on every {id} route, empty lists, and leaves the lead untouched", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const ownerA = crypto.randomUUID();
    const tokenA = await tokenFor(a, { role: "admin", userId: ownerA });
    const tokenB = await tokenFor(b, { role: "admin" });
    const source = await json<{ id: string }>(
      await api("/v1/lead-sources", { method: "POST", token: tokenA, json: { name: "Secreta" } }),
    );
    const lead = await json<{ id: string; contactId: string }>(
      await api("/v1/leads", {
        method: "POST",
        token: tokenA,
        json: { title: "Secreto", sourceId: source.id, contact: { firstName: "Oculta" } },
      }),
    );
    await api(`/v1/leads/${lead.id}/qualify`, { method: "POST", token: tokenA });
    const [before] = await ownerSql`select status, version, updated_at from leads where id = ${lead.id}`;

    expect((await api(`/v1/leads/${lead.id}`, { token: tokenB })).status).toBe(404);
    expect(
      (await api(`/v1/leads/${lead.id}`, { method: "PATCH", token: tokenB, json: { title: "Hack" } })).status,
    ).toBe(404);
    expect(
      (
        await api(`/v1/leads/${lead.id}`, {
          method: "PATCH",
          token: tokenB,
          headers: { "if-match": '"v2"' },
          json: { title: "Hack" },
        })
      ).status,
    ).toBe(404);
    for (const action of ["contact", "qualify", "convert"]) {
      expect((await api(`/v1/leads/${lead.id}/${action}`, { method: "POST", token: tokenB })).status, action).toBe(404);
    }
    expect(
      (await api(`/v1/leads/${lead.id}/lose`, { method: "POST", token: tokenB, json: { reason: "x" } })).status,
    ).toBe(404);
    expect((await api(`/v1/leads/${lead.id}`, { method: "DELETE", token: tokenB })).status).toBe(404);
    for (const query of [
      "",
      "?q=secreto",
      "?status=qualified",
      `?ownerId=${ownerA}`,
      `?sourceId=${source.id}`,
      "?sort=-score",
    ]) {
      expect((await json<{ data: unknown[] }>(await api(`/v1/leads${query}`, { token: tokenB }))).data, query).toEqual(
        [],
      );
    }

    // Another tenant's contact, source or user cannot be referenced (foreign keys alone would allow it).
    for (const extra of [{ contactId: lead.contactId }, { sourceId: source.id }, { ownerId: ownerA }]) {
      expect(
        (await api("/v1/leads", { method: "POST", token: tokenB, json: { title: "B", ...extra } })).status,
        JSON.stringify(extra),
      ).toBe(422);
    }
    const own = await json<{ id: string }>(
      await api("/v1/leads", { method: "POST", token: tokenB, json: { title: "B" } }),
    );
    for (const extra of [{ contactId: lead.contactId }, { sourceId: source.id }, { ownerId: ownerA }]) {
      expect(
        (await api(`/v1/leads/${own.id}`, { method: "PATCH", token: tokenB, json: extra })).status,
        JSON.stringify(extra),
      ).toBe(422);
    }

    expect(await ownerSql`select status, version, updated_at from leads where id = ${lead.id}`).toEqual([before]);
    expect(
      await ownerSql`select count(*)::int as n from customers where tenant_id = ${b.id} or lead_id = ${lead.id}`,
    ).toEqual([{ n: 0 }]);
    expect((await ownerSql`select type from outbox where tenant_id = ${b.id}`).map((e) => e.type)).toEqual([
      "Lead.Created",
    ]);
  });

  it("needs a token, and manager or admin to delete", async () => {
    const tenant = await createTenant();
    const userToken = await tokenFor(tenant, { role: "user" });
    expect((await api("/v1/leads")).status).toBe(401);
    expect((await api(`/v1/leads/${crypto.randomUUID()}/qualify`, { method: "POST" })).status).toBe(401);
    const lead = await json<{ id: string }>(
      await api("/v1/leads", { method: "POST", token: userToken, json: { title: "Z" } }),
    );
    expect((await api(`/v1/leads/${lead.id}`, { method: "DELETE", token: userToken })).status).toBe(403);
    expect(
      (await api(`/v1/leads/${lead.id}`, { method: "DELETE", token: await tokenFor(tenant, { role: "manager" }) }))
        .status,
    ).toBe(204);
    expect((await api(`/v1/leads/${lead.id}`, { token: userToken })).status).toBe(404);
  });
});

import { describe, expect, it } from "vitest";
import { api, createTenant, measuredApi, ownerSql, tokenFor } from "../../test/support/harness.ts";

interface Contact {
  id: string;
  firstName: string;
  email: string | null;
  phone: string | null;
  companyName: string | null;
  createdAt: string;
}

describe("contacts", () => {
  it("creates, reads, updates, searches and deletes a contact", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { role: "manager" });
    const res = await api("/v1/contacts", {
      method: "POST",
      token,
      json: {
        firstName: "Lucía",
        lastName: "Hernández Vega",
        email: "Lucia@ClinicaSanRafael.MX",
        phone: "(33) 1234-5678",
        companyName: "Clínica San Rafael",
      },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Contact;
    expect(created).toMatchObject({ firstName: "Lucía", email: "lucia@clinicasanrafael.mx", phone: "+523312345678" });
    expect(res.headers.get("location")).toBe(`/v1/contacts/${created.id}`);

    const got = await api(`/v1/contacts/${created.id}`, { token });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(created);

    const patched = await api(`/v1/contacts/${created.id}`, {
      method: "PATCH",
      token,
      json: { jobTitle: "Administradora" },
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { jobTitle: string }).jobTitle).toBe("Administradora");

    for (const q of ["lucía", "san rafael", "clinicasanrafael", "1234 5678"]) {
      const found = (await (await api(`/v1/contacts?q=${encodeURIComponent(q)}`, { token })).json()) as {
        data: Contact[];
      };
      expect(
        found.data.map((c) => c.id),
        q,
      ).toEqual([created.id]);
    }

    const events = await ownerSql`select type, event from outbox where tenant_id = ${tenant.id} order by seq`;
    expect(events.map((e) => e.type)).toEqual(["Contact.Created", "Contact.Updated"]);
    const first = events[0]?.event as Record<string, unknown>;
    expect(first).toMatchObject({
      specversion: "1.0",
      type: "Contact.Created",
      source: `/tenants/${tenant.id}/contacts`,
      tenantid: tenant.id,
      datacontenttype: "application/json",
    });
    expect((first.data as { id: string; email: string }).email).toBe("lucia@clinicasanrafael.mx");
    expect(first.data).not.toHaveProperty("tenantId");

    expect((await api(`/v1/contacts/${created.id}`, { method: "DELETE", token })).status).toBe(204);
    expect((await api(`/v1/contacts/${created.id}`, { token })).status).toBe(404);
  });

  it("paginates with a stable cursor while rows are inserted", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api("/v1/contacts", { method: "POST", token, json: { firstName: `Contacto ${i}` } });
      ids.push(((await res.json()) as Contact).id);
    }
    const first = (await (await api("/v1/contacts?limit=2", { token })).json()) as {
      data: Contact[];
      nextCursor: string;
    };
    expect(first.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    await api("/v1/contacts", { method: "POST", token, json: { firstName: "Nuevo" } });
    const second = (await (await api(`/v1/contacts?limit=2&cursor=${first.nextCursor}`, { token })).json()) as {
      data: Contact[];
      nextCursor: string;
    };
    expect(second.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const third = (await (await api(`/v1/contacts?limit=2&cursor=${second.nextCursor}`, { token })).json()) as {
      data: Contact[];
      nextCursor: string | null;
    };
    expect(third.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
  });

  it("replays an idempotent POST and rejects the same key with another body", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const headers = { "idempotency-key": "crear-contacto-001" };
    const a = await api("/v1/contacts", {
      method: "POST",
      token,
      headers,
      json: { firstName: "Ana", email: "ana@example.mx" },
    });
    const b = await api("/v1/contacts", {
      method: "POST",
      token,
      headers,
      json: { firstName: "Ana", email: "ana@example.mx" },
    });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(await b.json()).toEqual(await a.json());
    const c = await api("/v1/contacts", { method: "POST", token, headers, json: { firstName: "Otra" } });
    expect(c.status).toBe(422);
    const rows = await ownerSql`select count(*)::int as n from contacts where tenant_id = ${tenant.id}`;
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('scopes Idempotency-Key per user: two users of one tenant reusing "1" each get their own write', async () => {
    const tenant = await createTenant();
    const headers = { "idempotency-key": "1" };
    const ana = await api("/v1/contacts", {
      method: "POST",
      token: await tokenFor(tenant),
      headers,
      json: { firstName: "Ana" },
    });
    const beto = await api("/v1/contacts", {
      method: "POST",
      token: await tokenFor(tenant),
      headers,
      json: { firstName: "Beto" },
    });
    expect([ana.status, beto.status]).toEqual([201, 201]);
    expect(beto.headers.get("idempotent-replayed")).toBeNull();
    expect(((await beto.json()) as Contact).firstName).toBe("Beto");
    const rows = await ownerSql`select first_name from contacts where tenant_id = ${tenant.id} order by first_name`;
    expect(rows).toEqual([{ first_name: "Ana" }, { first_name: "Beto" }]);
  });

  it("parallel POSTs with the same Idempotency-Key create one row", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const send = () =>
      api("/v1/contacts", {
        method: "POST",
        token,
        headers: { "idempotency-key": "paralelo-1" },
        json: { firstName: "Paralelo" },
      });
    const responses = await Promise.all(Array.from({ length: 8 }, send));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Contact>));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    const rows = await ownerSql`select count(*)::int as n from contacts where tenant_id = ${tenant.id}`;
    expect(rows).toEqual([{ n: 1 }]);
  });

  it("list, get and create each cost one database round trip", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const create = await measuredApi("/v1/contacts", { method: "POST", token, json: { firstName: "Uno" } });
    expect(create.res.status).toBe(201);
    expect(create.roundTrips).toBe(1);
    const id = ((await create.res.json()) as Contact).id;
    // With Idempotency-Key: the claim rides in the same batch; the response body for replays is
    // stored after the response (waitUntil), the one extra round trip off the request's path.
    const keyed = await measuredApi("/v1/contacts", {
      method: "POST",
      token,
      headers: { "idempotency-key": "rt-1" },
      json: { firstName: "Dos" },
    });
    expect(keyed.res.status).toBe(201);
    expect(keyed.stats.httpRequests).toBe(2);
    expect((await measuredApi("/v1/contacts", { token })).roundTrips).toBe(1);
    expect((await measuredApi(`/v1/contacts/${id}`, { token })).roundTrips).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { api, createTenant, measuredApi, ownerSql, tokenFor } from "../../test/support/harness.ts";

interface Customer {
  id: string;
  rfc: string | null;
  razonSocial: string;
  regimenFiscal: string | null;
  usoCfdi: string;
  email: string | null;
  whatsappPhone: string | null;
  version: number;
}

const moral = {
  rfc: "fem150312kj4",
  razonSocial: "Ferretería El Martillo",
  regimenFiscal: "601",
  codigoPostal: "03100",
  email: "Facturas@FerreteriaElMartillo.MX",
  whatsappPhone: "55 1234 5678",
};

describe("customers", () => {
  it("creates, reads, updates with If-Match, searches and deletes a customer, writing events in order", async () => {
    const tenant = await createTenant();
    const userId = crypto.randomUUID();
    const token = await tokenFor(tenant, { role: "manager", userId });
    const res = await api("/v1/customers", {
      method: "POST",
      token,
      headers: { "x-request-id": "req-customer-create-1" },
      json: moral,
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Customer;
    expect(created).toMatchObject({
      rfc: "FEM150312KJ4",
      usoCfdi: "G03",
      email: "facturas@ferreteriaelmartillo.mx",
      whatsappPhone: "+525512345678",
      version: 1,
    });
    expect(res.headers.get("location")).toBe(`/v1/customers/${created.id}`);
    expect(res.headers.get("etag")).toBe('"v1"');

    const got = await api(`/v1/customers/${created.id}`, { token });
    expect(got.headers.get("etag")).toBe('"v1"');
    expect(await got.json()).toEqual(created);

    const patched = await api(`/v1/customers/${created.id}`, {
      method: "PATCH",
      token,
      headers: { "if-match": '"v1"' },
      json: { usoCfdi: "I04", codigoPostal: "03103" },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get("etag")).toBe('"v2"');
    expect(await patched.json()).toMatchObject({ usoCfdi: "I04", codigoPostal: "03103", version: 2 });
    const renamed = await api(`/v1/customers/${created.id}`, {
      method: "PATCH",
      token,
      json: { razonSocial: "FERRETERIA EL MARTILLO" },
    });
    expect(renamed.headers.get("etag")).toBe('"v3"');

    for (const q of ["martillo", "FEM150312", "facturas@"]) {
      const found = (await (await api(`/v1/customers?q=${encodeURIComponent(q)}`, { token })).json()) as {
        data: Customer[];
      };
      expect(
        found.data.map((c) => c.id),
        q,
      ).toEqual([created.id]);
    }

    const events = await ownerSql`select type, event from outbox where tenant_id = ${tenant.id} order by seq`;
    expect(events.map((e) => e.type)).toEqual(["Customer.Created", "Customer.Updated", "Customer.Updated"]);
    const first = events[0]?.event as Record<string, unknown>;
    expect(first).toMatchObject({
      specversion: "1.0",
      type: "Customer.Created",
      source: `/tenants/${tenant.id}/customers`,
      subject: created.id,
      tenantid: tenant.id,
      userid: userId,
      correlationid: "req-customer-create-1",
      datacontenttype: "application/json",
    });
    expect(first).not.toHaveProperty("tenantId");
    expect(first.data).toMatchObject({ id: created.id, rfc: "FEM150312KJ4", version: 1 });
    expect((events[1]?.event as { data: { version: number } }).data.version).toBe(2);

    expect((await api(`/v1/customers/${created.id}`, { method: "DELETE", token })).status).toBe(204);
    expect((await api(`/v1/customers/${created.id}`, { token })).status).toBe(404);
  });

  it("accepts the generic RFCs with their SAT defaults", async () => {
    const token = await tokenFor(await createTenant());
    for (const rfc of ["XAXX010101000", "xexx010101000"]) {
      const res = await api("/v1/customers", {
        method: "POST",
        token,
        json: { rfc, razonSocial: "PUBLICO EN GENERAL", regimenFiscal: "616" },
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ rfc: rfc.toUpperCase(), usoCfdi: "S01" });
    }
  });

  it("list, get, create and a plain PATCH cost one round trip; a fiscal PATCH two", async () => {
    const token = await tokenFor(await createTenant());
    const create = await measuredApi("/v1/customers", { method: "POST", token, json: moral });
    expect(create.res.status).toBe(201);
    expect(create.roundTrips).toBe(1);
    const id = ((await create.res.json()) as Customer).id;
    expect((await measuredApi("/v1/customers?q=martillo", { token })).roundTrips).toBe(1);
    expect((await measuredApi(`/v1/customers/${id}`, { token })).roundTrips).toBe(1);
    const plain = await measuredApi(`/v1/customers/${id}`, {
      method: "PATCH",
      token,
      headers: { "if-match": '"v1"' },
      json: { email: "otro@martillo.mx" },
    });
    expect(plain.res.status).toBe(200);
    expect(plain.roundTrips).toBe(1);
    const fiscal = await measuredApi(`/v1/customers/${id}`, { method: "PATCH", token, json: { regimenFiscal: "603" } });
    expect(fiscal.res.status).toBe(200);
    expect(fiscal.roundTrips).toBe(2);
  });
});

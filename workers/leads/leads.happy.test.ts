import { describe, expect, it } from "vitest";
import { api, createTenant, measuredApi, ownerSql, tokenFor } from "../../test/support/harness.ts";

interface Lead {
  id: string;
  title: string;
  status: string;
  contactId: string | null;
  sourceId: string | null;
  ownerId: string | null;
  companyName: string | null;
  estimatedValue: string | null;
  currency: string;
  lostReason: string | null;
  score: number | null;
  convertedCustomerId: string | null;
  convertedAt: string | null;
  version: number;
  createdAt: string;
}
interface Customer {
  id: string;
  leadId: string;
  contactId: string;
  rfc: string;
  razonSocial: string;
  email: string;
  usoCfdi: string;
}
interface Page {
  data: Lead[];
  nextCursor: string | null;
}

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

describe("leads", () => {
  it("walks new → contacted → qualified → converted with an inline contact, ETags and events in order", async () => {
    const tenant = await createTenant();
    const userId = crypto.randomUUID();
    const token = await tokenFor(tenant, { userId });
    const source = await json<{ id: string }>(
      await api("/v1/lead-sources", { method: "POST", token, json: { name: "Expo Guadalajara" } }),
    );

    const res = await api("/v1/leads", {
      method: "POST",
      token,
      headers: { "x-request-id": "req-lead-create-0001" },
      json: {
        title: "Equipamiento de 3 consultorios",
        contact: {
          firstName: "Lucía",
          lastName: "Hernández",
          email: "Lucia@ClinicaSanRafael.mx",
          phone: "33 1234 5678",
        },
        sourceId: source.id,
        companyName: "Clínica San Rafael",
        estimatedValue: "185000.5",
        customFields: { sucursales: 3 },
        nextFollowUpAt: "2026-12-01T16:00:00-06:00",
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("etag")).toBe('"v1"');
    const lead = await json<Lead>(res);
    expect(lead).toMatchObject({
      status: "new",
      sourceId: source.id,
      ownerId: userId,
      estimatedValue: "185000.50",
      currency: "MXN",
      score: null,
      version: 1,
    });
    expect(res.headers.get("location")).toBe(`/v1/leads/${lead.id}`);
    const contact = await json<{ id: string; email: string; phone: string }>(
      await api(`/v1/contacts/${lead.contactId}`, { token }),
    );
    expect(contact).toMatchObject({ email: "lucia@clinicasanrafael.mx", phone: "+523312345678" });

    const got = await api(`/v1/leads/${lead.id}`, { token });
    expect(got.headers.get("etag")).toBe('"v1"');
    expect(await got.json()).toEqual(lead);

    const patched = await api(`/v1/leads/${lead.id}`, {
      method: "PATCH",
      token,
      headers: { "if-match": '"v1"' },
      json: { industry: "Salud", estimatedValue: "190000.00" },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get("etag")).toBe('"v2"');
    expect(await patched.json()).toMatchObject({ industry: "Salud", estimatedValue: "190000.00", version: 2 });

    const contacted = await api(`/v1/leads/${lead.id}/contact`, { method: "POST", token });
    expect(contacted.status).toBe(200);
    expect(await contacted.json()).toMatchObject({ status: "contacted", version: 3 });
    const qualified = await api(`/v1/leads/${lead.id}/qualify`, { method: "POST", token });
    expect(await qualified.json()).toMatchObject({ status: "qualified", version: 4 });

    const converted = await api(`/v1/leads/${lead.id}/convert`, {
      method: "POST",
      token,
      json: { rfc: "csr100825qw2", regimenFiscal: "601", codigoPostal: "44100" },
    });
    expect(converted.status).toBe(200);
    expect(converted.headers.get("etag")).toBe('"v5"');
    const { lead: after, customer } = await json<{ lead: Lead; customer: Customer }>(converted);
    expect(after).toMatchObject({ status: "converted", convertedCustomerId: customer.id, version: 5 });
    expect(after.convertedAt).not.toBeNull();
    expect(customer).toMatchObject({
      leadId: lead.id,
      contactId: lead.contactId,
      rfc: "CSR100825QW2",
      razonSocial: "Clínica San Rafael",
      email: "lucia@clinicasanrafael.mx",
      usoCfdi: "G03",
    });
    expect(await json<Customer>(await api(`/v1/customers/${customer.id}`, { token }))).toMatchObject({
      id: customer.id,
    });

    const events = await ownerSql`select type, event from outbox where tenant_id = ${tenant.id} order by seq`;
    expect(events.map((e) => e.type)).toEqual([
      "Contact.Created",
      "Lead.Created",
      "Lead.Updated",
      "Lead.Contacted",
      "Lead.Qualified",
      "Lead.Converted",
      "Customer.Created",
    ]);
    for (const { type, event } of events as { type: string; event: Record<string, unknown> }[]) {
      expect(event).toMatchObject({
        specversion: "1.0",
        type,
        tenantid: tenant.id,
        userid: userId,
        datacontenttype: "application/json",
      });
      expect(event.source).toBe(
        `/tenants/${tenant.id}/${type.startsWith("Lead.") ? "leads" : type.startsWith("Contact.") ? "contacts" : "customers"}`,
      );
      expect(typeof event.correlationid).toBe("string");
      expect(event).not.toHaveProperty("tenantId");
      expect(event).not.toHaveProperty("correlationId");
    }
    const byType = (t: string) =>
      events
        .filter((e) => e.type === t)
        .map((e) => e.event as { subject: string; correlationid: string; data: Record<string, unknown> });
    expect(byType("Lead.Created")[0]).toMatchObject({
      subject: lead.id,
      correlationid: "req-lead-create-0001",
      data: { id: lead.id, status: "new", estimatedValue: "185000.50" },
    });
    expect(byType("Lead.Updated").map((e) => e.data.status)).toEqual(["new"]);
    expect(byType("Lead.Contacted").map((e) => e.data.status)).toEqual(["contacted"]);
    expect(byType("Lead.Converted")[0]?.data).toMatchObject({
      status: "converted",
      convertedCustomerId: customer.id,
      version: 5,
    });
    expect(byType("Customer.Created")[0]).toMatchObject({ subject: customer.id, data: { leadId: lead.id } });
  });

  it("loses an open lead with its reason and converts without fiscal data", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const lead = await json<Lead>(await api("/v1/leads", { method: "POST", token, json: { title: "Licencias" } }));
    const lost = await api(`/v1/leads/${lead.id}/lose`, {
      method: "POST",
      token,
      json: { reason: "Eligió a la competencia" },
    });
    expect(lost.status).toBe(200);
    expect(await lost.json()).toMatchObject({ status: "lost", lostReason: "Eligió a la competencia", version: 2 });

    const other = await json<Lead>(
      await api("/v1/leads", { method: "POST", token, json: { title: "Póliza de mantenimiento" } }),
    );
    await api(`/v1/leads/${other.id}/qualify`, { method: "POST", token });
    const converted = await api(`/v1/leads/${other.id}/convert`, { method: "POST", token });
    expect(converted.status).toBe(200);
    expect((await json<{ customer: Customer }>(converted)).customer).toMatchObject({
      razonSocial: "Póliza de mantenimiento",
      rfc: null,
      usoCfdi: "G03",
    });
    const types = (await ownerSql`select type from outbox where tenant_id = ${tenant.id} order by seq`).map(
      (e) => e.type,
    );
    expect(types).toEqual([
      "Lead.Created",
      "Lead.Lost",
      "Lead.Created",
      "Lead.Qualified",
      "Lead.Converted",
      "Customer.Created",
    ]);
  });

  it("filters by status, owner, source, score, creation time and text, and sorts by score with a cursor", async () => {
    const tenant = await createTenant();
    const ownerA = crypto.randomUUID();
    const ownerB = crypto.randomUUID();
    const tokenA = await tokenFor(tenant, { userId: ownerA });
    const tokenB = await tokenFor(tenant, { userId: ownerB });
    await api("/v1/me", { token: tokenB }); // provisions B as a user of the tenant
    const source = await json<{ id: string }>(
      await api("/v1/lead-sources", { method: "POST", token: tokenA, json: { name: "Web" } }),
    );
    const make = async (title: string, extra: Record<string, unknown> = {}) =>
      json<Lead>(await api("/v1/leads", { method: "POST", token: tokenA, json: { title, ...extra } }));
    const l1 = await make("Ferretería El Martillo", { sourceId: source.id });
    const l2 = await make("Clínica Dental Sonrisa", { ownerId: ownerB });
    const l3 = await make("Despacho Contable Ruiz", { companyName: "Ruiz y Asociados" });
    const l4 = await make("Sin puntaje");
    await ownerSql`update leads set score = case id when ${l1.id}::uuid then 80 when ${l2.id}::uuid then 35 when ${l3.id}::uuid then 80 end where id in (${l1.id}::uuid, ${l2.id}::uuid, ${l3.id}::uuid)`;
    await api(`/v1/leads/${l2.id}/qualify`, { method: "POST", token: tokenA });

    const ids = async (query: string) =>
      (await json<Page>(await api(`/v1/leads${query}`, { token: tokenA }))).data.map((l) => l.id);
    expect(await ids("?status=qualified")).toEqual([l2.id]);
    expect(await ids("?status=new,qualified&sort=created")).toEqual([l1.id, l2.id, l3.id, l4.id]);
    expect(await ids(`?ownerId=${ownerB}`)).toEqual([l2.id]);
    expect(await ids(`?sourceId=${source.id}`)).toEqual([l1.id]);
    expect(await ids("?minScore=50&sort=created")).toEqual([l1.id, l3.id]);
    expect(await ids("?maxScore=50")).toEqual([l2.id]);
    expect(await ids("?q=ruiz")).toEqual([l3.id]);
    expect(
      await ids(
        `?createdFrom=${encodeURIComponent(l2.createdAt)}&createdTo=${encodeURIComponent(l4.createdAt)}&sort=created`,
      ),
    ).toEqual([l2.id, l3.id]);

    // -score: 80, 80 (id desc between the two), 35, then the lead without a score.
    const [hiFirst, hiSecond] = [l1.id, l3.id].sort().reverse();
    const expected = [hiFirst, hiSecond, l2.id, l4.id];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await json<Page>(
        await api(`/v1/leads?sort=-score&limit=1${cursor ? `&cursor=${cursor}` : ""}`, { token: tokenA }),
      );
      seen.push(...page.data.map((l) => l.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it("costs one round trip for list, get, creates (also with an inline contact), PATCH and every transition", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const create = await measuredApi("/v1/leads", {
      method: "POST",
      token,
      json: { title: "RT", contact: { firstName: "Ana", email: "ana@rt.mx" } },
    });
    expect(create.res.status).toBe(201);
    expect(create.roundTrips).toBe(1);
    const lead = await json<Lead>(create.res);
    const byId = await measuredApi("/v1/leads", {
      method: "POST",
      token,
      json: { title: "RT 2", contactId: lead.contactId },
    });
    expect([byId.res.status, byId.roundTrips]).toEqual([201, 1]);
    const second = await json<Lead>(byId.res);
    const rt = async (path: string, init: Parameters<typeof measuredApi>[1] = {}) => {
      const m = await measuredApi(path, { token, ...init });
      expect(m.res.status, path).toBeLessThan(300);
      return m.roundTrips;
    };
    expect(await rt("/v1/leads?status=new&q=rt&sort=-score")).toBe(1);
    expect(await rt(`/v1/leads/${lead.id}`)).toBe(1);
    expect(
      await rt(`/v1/leads/${lead.id}`, {
        method: "PATCH",
        headers: { "if-match": '"v1"' },
        json: { industry: "Retail" },
      }),
    ).toBe(1);
    expect(await rt(`/v1/leads/${lead.id}/contact`, { method: "POST" })).toBe(1);
    expect(await rt(`/v1/leads/${lead.id}/qualify`, { method: "POST" })).toBe(1);
    expect(await rt(`/v1/leads/${lead.id}/convert`, { method: "POST", json: { rfc: "XAXX010101000" } })).toBe(1);
    expect(await rt(`/v1/leads/${second.id}/lose`, { method: "POST", json: { reason: "Sin presupuesto" } })).toBe(1);
    // A refused move is one round trip too (the 404/409 comes from the same batch).
    const refused = await measuredApi(`/v1/leads/${second.id}/qualify`, { method: "POST", token });
    expect([refused.res.status, refused.roundTrips]).toEqual([409, 1]);
  });

  it("replays an idempotent transition", async () => {
    const token = await tokenFor(await createTenant());
    const lead = await json<Lead>(await api("/v1/leads", { method: "POST", token, json: { title: "Idem" } }));
    const headers = { "idempotency-key": `qualify-${lead.id}` };
    const a = await api(`/v1/leads/${lead.id}/qualify`, { method: "POST", token, headers });
    const b = await api(`/v1/leads/${lead.id}/qualify`, { method: "POST", token, headers });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(await b.json()).toEqual(await a.json());
  });

  it("documents the lead, lead source and customer routes in /openapi.json", async () => {
    const res = await api("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of [
      "/v1/leads",
      "/v1/leads/{id}",
      "/v1/leads/{id}/contact",
      "/v1/leads/{id}/qualify",
      "/v1/leads/{id}/lose",
      "/v1/leads/{id}/convert",
      "/v1/customers",
      "/v1/customers/{id}",
      "/v1/lead-sources",
      "/v1/lead-sources/{id}",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths["/v1/leads/{id}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
  });
});

import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseEvent, type CloudEvent } from "../../core/events/cloudevents.ts";
import { consumeEvents } from "../../queues/events-consumer.ts";
import { testEnv } from "../support/env.ts";
import { api, createTenant, ownerSql, tokenFor } from "../support/harness.ts";

// The daily work of a sales team, end to end through HTTP inside workerd against real Postgres:
// contact → lead → qualify → proposal (three items: one discounted, one tax-exempt) → totals to
// the cent → send → convert to customer; then the outbox holds the events in order, well formed,
// and the events consumer turns status changes into timeline activities.

async function post<T>(path: string, token: string, json?: unknown): Promise<T> {
  const res = await api(path, { method: "POST", token, ...(json === undefined ? {} : { json }) });
  const body = (await res.json()) as T;
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBeLessThan(300);
  return body;
}

describe("the whole sales path", () => {
  it("contact → lead → qualify → proposal → send → convert, with events and activities", async () => {
    const tenant = await createTenant({ plan: "pro", name: "Distribuidora Médica del Bajío" });
    const userId = crypto.randomUUID();
    const token = await tokenFor(tenant, { role: "manager", userId, email: "ventas@dmb.mx" });

    const contact = await post<{ id: string }>("/v1/contacts", token, {
      firstName: "Sofía",
      lastName: "Hernández Vega",
      email: "sofia@clinicasanrafael.mx",
      phone: "33 1234 5678",
      companyName: "Clínica San Rafael",
    });
    const lead = await post<{ id: string; status: string }>("/v1/leads", token, {
      title: "Equipamiento de 3 consultorios",
      contactId: contact.id,
      companyName: "Clínica San Rafael",
      estimatedValue: "65000.00",
    });
    expect(lead.status).toBe("new");
    const qualified = await post<{ status: string }>(`/v1/leads/${lead.id}/qualify`, token);
    expect(qualified.status).toBe("qualified");

    const proposal = await post<{
      id: string;
      proposalNumber: string;
      subtotal: string;
      discountTotal: string;
      taxTotal: string;
      total: string;
      items: { total: string }[];
    }>("/v1/proposals", token, {
      title: "Equipamiento de consultorios",
      leadId: lead.id,
      validUntil: "2099-12-31",
      items: [
        // 3 × 12,499.99 = 37,499.97; 10 % off = 3,750.00 (3,749.997 rounded); base 33,749.97; IVA 16 % = 5,400.00 (5,399.9952)
        {
          name: "Camilla de exploración",
          quantity: "3",
          unitPrice: "12499.99",
          discountPercent: "10",
          taxRate: "0.16",
        },
        // Exento: medical consultation fees carry no IVA.
        { name: "Capacitación clínica", quantity: "1", unitPrice: "4500.00", discountPercent: "0", taxRate: null },
        // 2.5 × 1,234.57 = 3,086.425 → 3,086.43; IVA 16 % = 493.83 (493.8288)
        { name: "Insumos (kg)", quantity: "2.5", unitPrice: "1234.57", discountPercent: "0", taxRate: "0.16" },
      ],
    });
    expect(proposal.proposalNumber).toMatch(/^COT-\d{4}-00001$/);
    expect(proposal.items.map((i) => i.total)).toEqual(["39149.97", "4500.00", "3580.26"]);
    expect({
      subtotal: proposal.subtotal,
      discountTotal: proposal.discountTotal,
      taxTotal: proposal.taxTotal,
      total: proposal.total,
    }).toEqual({
      subtotal: "45086.40",
      discountTotal: "3750.00",
      taxTotal: "5893.83",
      total: "47230.23",
    });

    const sent = await post<{ url: string; proposal: { status: string } }>(`/v1/proposals/${proposal.id}/send`, token);
    expect(sent.proposal.status).toBe("sent");
    expect(sent.url).toMatch(/\/p\/[A-Za-z0-9_-]{43}$/);

    const converted = await post<{
      lead: { status: string; convertedCustomerId: string };
      customer: { id: string; rfc: string; razonSocial: string };
    }>(`/v1/leads/${lead.id}/convert`, token, {
      rfc: "CSR100825QW2",
      razonSocial: "CLINICA SAN RAFAEL",
      regimenFiscal: "601",
      codigoPostal: "44100",
      usoCfdi: "G03",
    });
    expect(converted.lead.status).toBe("converted");
    expect(converted.customer).toMatchObject({ rfc: "CSR100825QW2", razonSocial: "CLINICA SAN RAFAEL" });
    expect(converted.lead.convertedCustomerId).toBe(converted.customer.id);

    // Events: in commit order, each a valid CloudEvents 1.0 envelope with lower-case extensions.
    const rows = (await ownerSql`select type, event from outbox where tenant_id = ${tenant.id} order by seq`) as {
      type: string;
      event: CloudEvent;
    }[];
    expect(rows.map((r) => r.type)).toEqual([
      "Contact.Created",
      "Lead.Created",
      "Lead.Qualified",
      "Proposal.Created",
      "Proposal.Sent",
      "Lead.Converted",
      "Customer.Created",
    ]);
    for (const { event } of rows) {
      expect(parseEvent(event)).toMatchObject({ ok: true });
      expect(event).toMatchObject({
        specversion: "1.0",
        tenantid: tenant.id,
        userid: userId,
        datacontenttype: "application/json",
      });
      expect(event.correlationid).toBeTruthy();
      expect(Object.keys(event).filter((k) => /[A-Z]/.test(k))).toEqual([]);
    }
    const created = rows.find((r) => r.type === "Proposal.Created")?.event.data as {
      total: string;
      proposalNumber: string;
    };
    expect(created).toMatchObject({ total: "47230.23", proposalNumber: proposal.proposalNumber });
    expect(JSON.stringify(rows)).not.toContain(sent.url.split("/p/")[1]);

    // The consumer delivers them: outbox rows marked, status changes on the timeline.
    const batch = createMessageBatch(
      "crm-events",
      rows.map((r, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: r.event })),
    );
    const ctx = createExecutionContext();
    await consumeEvents(batch, testEnv, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(rows.length);
    expect(
      await ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenant.id} and delivered_at is null`,
    ).toEqual([{ n: 0 }]);
    const timeline =
      await ownerSql`select subject from activities where tenant_id = ${tenant.id} and type = 'status_change' order by occurred_at, subject`;
    expect(timeline.map((a) => a.subject).sort()).toEqual(
      ["Cliente creado", "Propuesta enviada", "Prospecto calificado", "Prospecto convertido en cliente"].sort(),
    );
  });
});

import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";
import { createProposal } from "../../test/support/proposal-fixtures.ts";
import type { InvoiceBody } from "./invoice-schema.ts";
import { acceptedProposal, invoicingTenant, KEYED_ITEMS } from "../../test/support/invoicing-fixtures.ts";

function post(token: string, json: unknown) {
  return api("/v1/invoices", { method: "POST", token, json });
}

async function invoiceCount(tenantId: string): Promise<number> {
  const [, rows] = await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`select count(*)::int as n from cfdi_invoices where tenant_id = ${tenantId}`,
  ]);
  return (rows as { n: number }[])[0]!.n;
}

describe("POST /v1/invoices: refusals, nothing written", () => {
  it("no fiscal profile → 409; a proposal not accepted → 409; unknown or another tenant's → 422", async () => {
    const bare = await createTenant();
    const bareToken = await tokenFor(bare, { role: "admin" });
    const p = await post(bareToken, { proposalId: crypto.randomUUID() });
    expect(p.status).toBe(409);
    expect((await problem(p)).detail).toContain("perfil fiscal");

    const t = await invoicingTenant();
    const draft = await createProposal(t.admin, { title: "Borrador", customerId: t.customerId, items: KEYED_ITEMS });
    const notAccepted = await post(t.user, { proposalId: draft.id });
    expect(notAccepted.status).toBe(409);
    expect((await problem(notAccepted)).detail).toContain("aceptada");

    const other = await invoicingTenant();
    const foreign = await acceptedProposal(other);
    for (const proposalId of [crypto.randomUUID(), foreign.id]) {
      const res = await post(t.user, { proposalId });
      expect(res.status).toBe(422);
      expect((await problem(res)).errors?.[0]?.path).toBe("body.proposalId");
    }
    expect(await invoiceCount(t.tenant.id)).toBe(0);
  });

  it("missing customer fiscal data and SAT keys → 422 listing every one", async () => {
    const t = await invoicingTenant();
    const customer = await api("/v1/customers", { method: "POST", token: t.admin, json: { razonSocial: "SIN DATOS" } });
    const customerId = ((await customer.json()) as { id: string }).id;
    const proposal = await acceptedProposal({ ...t, customerId }, [
      { name: "Sin claves", quantity: "1", unitPrice: "100", taxRate: "0.16" },
    ]);
    const res = await post(t.user, { proposalId: proposal.id });
    expect(res.status).toBe(422);
    expect((await problem(res)).errors?.map((e) => e.path)).toEqual([
      "customer.rfc",
      "customer.regimenFiscal",
      "customer.codigoPostal",
      "proposal.items[0].satProductKey",
      "proposal.items[0].satUnitKey",
    ]);
    expect(await invoiceCount(t.tenant.id)).toBe(0);
  });

  it("an engine model naming another emisor → 422; unknown fields → 400; an unknown customer → 422", async () => {
    const t = await invoicingTenant();
    const foreign = await post(t.user, { invoice: { emisor: { rfc: "AAA010101AAA" } } });
    expect(foreign.status).toBe(422);
    expect((await problem(foreign)).errors?.[0]).toMatchObject({
      path: "body.invoice.emisor.rfc",
      code: "EMISOR_NOT_PROFILE",
    });
    expect((await post(t.user, { proposalId: crypto.randomUUID(), folio: "1" })).status).toBe(400);
    expect((await post(t.user, {})).status).toBe(400);
    const noCustomer = await post(t.user, { customerId: crypto.randomUUID(), invoice: {} });
    expect(noCustomer.status).toBe(422);
    expect(await invoiceCount(t.tenant.id)).toBe(0);
  });

  it("a hostile model is a validation_failed invoice with the engine's issues, never a 500", async () => {
    const t = await invoicingTenant();
    const shapes: unknown[] = [
      {},
      { conceptos: "x", receptor: 5, moneda: 7 },
      { conceptos: [null, 1, "a", { cantidad: {} }] },
      { conceptos: Array.from({ length: 5_000 }, () => ({ cantidad: "1", valorUnitario: "1" })) },
      { tipoDeComprobante: "I", receptor: { rfc: "X".repeat(10_000) }, conceptos: [] },
    ];
    for (const invoice of shapes) {
      const started = performance.now();
      const res = await post(t.user, { invoice });
      expect([201, 422], JSON.stringify(invoice).slice(0, 80)).toContain(res.status);
      if (res.status === 201) {
        const body = (await res.json()) as InvoiceBody;
        expect(body.status).toBe("validation_failed");
        expect(body.validation.issues.length).toBeGreaterThan(0);
      } else {
        await res.arrayBuffer();
      }
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });
});

describe("GET /v1/invoices", () => {
  it("another tenant's invoice is a 404 (RLS); a bad filter is a 400", async () => {
    const t = await invoicingTenant();
    const proposal = await acceptedProposal(t);
    const invoice = (await (await post(t.user, { proposalId: proposal.id })).json()) as InvoiceBody;
    const other = await createTenant();
    const otherToken = await tokenFor(other);
    expect((await api(`/v1/invoices/${invoice.id}`, { token: otherToken })).status).toBe(404);
    const list = (await (await api("/v1/invoices", { token: otherToken })).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
    expect((await api("/v1/invoices?status=pagada", { token: t.user })).status).toBe(400);
  });
});

import { describe, expect, it } from "vitest";
import { api, measuredApi } from "../../test/support/harness.ts";
import { cfdiEvents } from "../../test/support/invoice-lifecycle.ts";
import { acceptedProposal, invoicingTenant } from "../../test/support/invoicing-fixtures.ts";
import type { InvoiceBody } from "./invoice-schema.ts";

// Invoices from accepted proposals and from engine models (issue 13, drafts: no stamping yet).

async function created(res: Response): Promise<InvoiceBody> {
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as InvoiceBody;
}

describe("POST /v1/invoices", () => {
  it("from an accepted proposal: a valid draft with the accepted total, the profile as emisor, PPD/99 by default", async () => {
    const t = await invoicingTenant();
    const proposal = await acceptedProposal(t);
    const res = await measuredApi("/v1/invoices", { method: "POST", token: t.user, json: { proposalId: proposal.id } });
    const invoice = await created(res.res);
    expect(res.roundTrips).toBe(2);
    expect(invoice).toMatchObject({
      status: "draft",
      proposalId: proposal.id,
      customerId: t.customerId,
      serie: "A",
      folio: null,
      uuid: null,
      moneda: "MXN",
      metodoPago: "PPD",
      formaPago: "99",
      usoCfdi: "G03",
      receptor: { rfc: "MCI7306249Y1", nombre: "MUNICIPIO" },
      total: proposal.total,
      validation: { valid: true, issues: [] },
    });
    expect(invoice.subtotal).toBe("5349.97"); // 3 × 1,499.99 + 850.00
    expect(invoice.descuento).toBe("450.00");
    expect(invoice.input).toMatchObject({
      emisor: { rfc: "EKU9003173C9", nombre: "ESCUELA KEMPER URGATE", regimenFiscal: "601" },
      lugarExpedicion: "86000",
      totalEsperado: proposal.total,
    });
    expect((invoice.input.conceptos as unknown[]).length).toBe(2); // the free line is not invoiced

    const read = await measuredApi(`/v1/invoices/${invoice.id}`, { token: t.user });
    expect(read.roundTrips).toBe(1);
    expect(await read.res.json()).toEqual(invoice);

    const listed = (await (await api(`/v1/invoices?proposalId=${proposal.id}`, { token: t.user })).json()) as {
      data: InvoiceBody[];
    };
    expect(listed.data.map((i) => i.id)).toEqual([invoice.id]);
    expect(
      ((await (await api("/v1/invoices?status=stamped", { token: t.user })).json()) as { data: unknown[] }).data,
    ).toEqual([]);
  });

  it("payment terms and uso given by the caller; a retry with the Idempotency-Key replays, a second request is a 409", async () => {
    const t = await invoicingTenant();
    const proposal = await acceptedProposal(t);
    const key = crypto.randomUUID();
    const body = { proposalId: proposal.id, metodoPago: "PUE", formaPago: "03", usoCfdi: "G01" };
    const first = await created(
      await api("/v1/invoices", { method: "POST", token: t.user, json: body, headers: { "idempotency-key": key } }),
    );
    expect(first).toMatchObject({ metodoPago: "PUE", formaPago: "03", usoCfdi: "G01", status: "draft" });
    const replay = await api("/v1/invoices", {
      method: "POST",
      token: t.user,
      json: body,
      headers: { "idempotency-key": key },
    });
    expect(replay.status).toBe(201);
    expect(((await replay.json()) as InvoiceBody).id).toBe(first.id);
    const again = await api("/v1/invoices", { method: "POST", token: t.user, json: body });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ invoiceId: first.id });
  });

  it("an engine model: emisor and lugar from the profile; the engine's refusal is a validation_failed invoice", async () => {
    const t = await invoicingTenant();
    const model = {
      tipoDeComprobante: "I",
      formaPago: "03",
      metodoPago: "PUE",
      receptor: {
        rfc: "MCI7306249Y1",
        nombre: "MUNICIPIO",
        domicilioFiscal: "54700",
        regimenFiscal: "603",
        usoCfdi: "G03",
      },
      conceptos: [
        {
          claveProdServ: "81112101",
          cantidad: "2",
          claveUnidad: "E48",
          descripcion: "Soporte",
          valorUnitario: "500.00",
          objetoImp: "02",
          traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" }],
        },
      ],
    };
    const ok = await created(
      await api("/v1/invoices", { method: "POST", token: t.user, json: { customerId: t.customerId, invoice: model } }),
    );
    expect(ok).toMatchObject({ status: "draft", total: "1160.00", subtotal: "1000.00", customerId: t.customerId });
    expect(ok.input).toMatchObject({ emisor: { rfc: "EKU9003173C9" }, lugarExpedicion: "86000", serie: "A" });

    for (const [change, code] of [
      [{ metodoPago: "PPD" }, "FORMA_PAGO_PPD"],
      [{ totalEsperado: "1159.99" }, "TOTAL_MISMATCH"],
    ] as const) {
      const refused = await created(
        await api("/v1/invoices", { method: "POST", token: t.user, json: { invoice: { ...model, ...change } } }),
      );
      expect(refused.status).toBe("validation_failed");
      expect(refused.validation.valid).toBe(false);
      expect(refused.validation.issues.map((i) => i.code)).toEqual([code]);
      expect(refused.validation.issues[0]?.message).toMatch(/^(Con|El) /); // the engine speaks Spanish
      expect(await cfdiEvents(t.tenant.id, refused.id)).toEqual(["CFDI.ValidationFailed"]);
    }
    expect(await cfdiEvents(t.tenant.id, ok.id)).toEqual([]);
  });
});

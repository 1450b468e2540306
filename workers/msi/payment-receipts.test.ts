import { describe, expect, it } from "vitest";
import { cadenaFromXml } from "../../core/cfdi/cadena.ts";
import { verifyCfdi } from "../../core/cfdi/verify.ts";
import type { Env } from "../../platform/env.ts";
import { testEnv } from "../../test/support/env.ts";
import { api } from "../../test/support/harness.ts";
import { draftOf, eventually, stamp } from "../../test/support/invoice-lifecycle.ts";
import { stampingTenant } from "../../test/support/invoicing-fixtures.ts";
import type { InvoiceBody } from "../invoices/invoice-schema.ts";
import type { PlanBody } from "./msi-schema.ts";

// Recibos de pago (issue 14): each payment of a plan on a stamped PPD invoice gets its CFDI type P
// with Pagos 2.0, stamped through the account's PAC like any invoice.

function attr(xml: string, element: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`, "g"))].map((m) => m[1]!);
}

describe("recibos de pago for MSI payments", () => {
  it("one stamped REP per payment, NumParcialidad and saldos in order, verified by the engine and by SAT's XSLT", async () => {
    const t = await stampingTenant();
    const draft = await draftOf(t);
    const stamped = (await (await stamp(t.user, draft.id)).json()) as InvoiceBody;
    expect(stamped).toMatchObject({ status: "stamped", metodoPago: "PPD", formaPago: "99" });

    const created = await api("/v1/msi-plans", {
      method: "POST",
      token: t.user,
      json: { customerId: t.customerId, invoiceId: stamped.id, count: 3, startDate: "2027-01-31" },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const plan = (await created.json()) as PlanBody;
    expect(plan.total).toBe(stamped.total);

    const first = await api(`/v1/msi-plans/${plan.id}/installments/1/pay`, {
      method: "POST",
      token: t.user,
      json: { amount: "1000.00", formaPago: "03", reference: "SPEI-0001", paidAt: "2027-01-30T18:00:00Z" },
    });
    expect(first.status, await first.clone().text()).toBe(200);
    const second = await api(`/v1/msi-plans/${plan.id}/installments/1/pay`, {
      method: "POST",
      token: t.user,
      json: { amount: "500.00", formaPago: "04", paidAt: "2027-02-02T18:00:00Z" },
    });
    expect(second.status).toBe(200);
    await second.arrayBuffer();

    const receipts = await eventually(
      async () =>
        (
          (await (
            await api(`/v1/invoices?type=P&relatedTo=${stamped.uuid}&sort=created`, { token: t.user })
          ).json()) as {
            data: InvoiceBody[];
          }
        ).data,
      (list) => list.length === 2 && list.every((r) => r.status === "stamped"),
    );
    expect(receipts.map((r) => [r.type, r.relatedUuid, r.total])).toEqual([
      ["P", stamped.uuid, "0.00"],
      ["P", stamped.uuid, "0.00"],
    ]);

    const certificate = (testEnv as unknown as Env).SANDBOX_PAC_CERTIFICATE!;
    const xmls: string[] = [];
    for (const receipt of receipts) {
      const xml = await (await api(`/v1/invoices/${receipt.id}/xml`, { token: t.user })).text();
      xmls.push(xml);
      const report = await verifyCfdi(xml, { satCertificate: () => certificate });
      expect(report.errors).toEqual([]);
      expect(report.valid).toBe(true);
      expect(attr(xml, "cfdi:Comprobante", "TipoDeComprobante")).toEqual(["P"]);
      const oracle = testEnv.TEST_CFDI_ORACLE_URL;
      if (!oracle) throw new Error("TEST_CFDI_ORACLE_URL is not set: run the suites with `npm test`");
      const sat = (await (
        await fetch(`${oracle}/cfdi`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ xml, pacCertificate: certificate }),
        })
      ).json()) as { cadena: string; selloValid: boolean; selloSatValid: boolean };
      expect(sat).toMatchObject({ selloValid: true, selloSatValid: true });
      expect(sat.cadena).toBe(cadenaFromXml(xml));
    }
    const total = Number(stamped.total); // display only: the XML's own strings are compared below
    expect(total).toBeGreaterThan(1500);
    expect(attr(xmls[0]!, "pago20:DoctoRelacionado", "NumParcialidad")).toEqual(["1"]);
    expect(attr(xmls[0]!, "pago20:DoctoRelacionado", "ImpSaldoAnt")).toEqual([stamped.total]);
    expect(attr(xmls[0]!, "pago20:DoctoRelacionado", "ImpPagado")).toEqual(["1000.00"]);
    expect(attr(xmls[0]!, "pago20:Pago", "FechaPago")).toEqual(["2027-01-30T12:00:00"]);
    expect(attr(xmls[0]!, "pago20:Pago", "FormaDePagoP")).toEqual(["03"]);
    expect(attr(xmls[1]!, "pago20:DoctoRelacionado", "NumParcialidad")).toEqual(["2"]);
    expect(attr(xmls[1]!, "pago20:DoctoRelacionado", "ImpSaldoAnt")).toEqual(
      attr(xmls[0]!, "pago20:DoctoRelacionado", "ImpSaldoInsoluto"),
    );
    expect(attr(xmls[1]!, "pago20:DoctoRelacionado", "IdDocumento")).toEqual([stamped.uuid]);

    // A plan without an invoice makes no receipts.
    const bare = (await (
      await api("/v1/msi-plans", {
        method: "POST",
        token: t.user,
        json: { customerId: t.customerId, total: "300.00", count: 3, startDate: "2027-01-31" },
      })
    ).json()) as PlanBody;
    await api(`/v1/msi-plans/${bare.id}/installments/1/pay`, {
      method: "POST",
      token: t.user,
      json: { amount: "100.00", formaPago: "01" },
    });
    const all = (await (await api("/v1/invoices?type=P", { token: t.user })).json()) as { data: InvoiceBody[] };
    expect(all.data).toHaveLength(2);
  });

  it("a plan on an invoice that is not PPD / 99 is refused", async () => {
    const t = await stampingTenant();
    const res = await api("/v1/invoices", {
      method: "POST",
      token: t.user,
      json: {
        customerId: t.customerId,
        invoice: {
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
              cantidad: "1",
              claveUnidad: "E48",
              descripcion: `Soporte ${t.tenant.id.slice(0, 8)}`,
              valorUnitario: "900.00",
              objetoImp: "02",
              traslados: [{ impuesto: "IVA", tipoFactor: "Tasa", tasaOCuota: "0.16" }],
            },
          ],
        },
      },
    });
    const pue = (await res.json()) as InvoiceBody;
    expect((await stamp(t.user, pue.id)).status).toBe(200);
    const plan = await api("/v1/msi-plans", {
      method: "POST",
      token: t.user,
      json: { customerId: t.customerId, invoiceId: pue.id, count: 3, startDate: "2027-01-31" },
    });
    expect(plan.status).toBe(422);
    expect(await plan.text()).toContain("PPD");
  });
});

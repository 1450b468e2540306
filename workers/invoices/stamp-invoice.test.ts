import { describe, expect, it } from "vitest";
import { verifyCfdi } from "../../core/cfdi/verify.ts";
import type { Env } from "../../platform/env.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, measuredApi, problem } from "../../test/support/harness.ts";
import { stampingTenant } from "../../test/support/invoicing-fixtures.ts";
import { cfdiEvents, draftOf, stamp } from "../../test/support/invoice-lifecycle.ts";
import type { InvoiceBody } from "./invoice-schema.ts";

// Stamping through the sandbox PAC (issue 13): seal with the tenant's CSD, TFD 1.1, R2 archive.

describe("POST /v1/invoices/{id}/stamp (sandbox PAC)", () => {
  it("seals, stamps and archives: the XML verifies (sello and TFD) and says it has no fiscal value; stamping again changes nothing", async () => {
    const t = await stampingTenant();
    const draft = await draftOf(t);
    // Round trips (platform/invoicing/stamping.ts): read, claim, keep the sealed XML, record.
    const measured = await measuredApi(`/v1/invoices/${draft.id}/stamp`, { method: "POST", token: t.user });
    const res = measured.res;
    expect(res.status, await res.clone().text()).toBe(200);
    expect(measured.roundTrips).toBe(4);
    const stamped = (await res.json()) as InvoiceBody;
    expect(stamped).toMatchObject({ status: "stamped", serie: "A", folio: "1", total: draft.total });
    expect(stamped.uuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(stamped.stampedAt).not.toBeNull();

    const xmlRes = await api(`/v1/invoices/${draft.id}/xml`, { token: t.user });
    expect(xmlRes.status).toBe(200);
    expect(xmlRes.headers.get("content-type")).toContain("application/xml");
    const xml = await xmlRes.text();
    expect(xml).toContain('Serie="A"');
    expect(xml).toContain('Folio="1"');
    const report = await verifyCfdi(xml, {
      satCertificate: () => (testEnv as unknown as Env).SANDBOX_PAC_CERTIFICATE,
    });
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.timbre).toMatchObject({
      uuid: stamped.uuid,
      leyenda: "SIN VALIDEZ FISCAL — sandbox",
      selloSatValid: true,
    });

    const object = await (testEnv as unknown as Env).DOCUMENTS!.head(
      `tenants/${t.tenant.id}/cfdi/${/FechaTimbrado="(\d{4})-(\d{2})/.exec(xml)!.slice(1, 3).join("/")}/${stamped.uuid!.toLowerCase()}.xml`,
    );
    expect(object?.customMetadata).toMatchObject({
      emisorRfc: "EKU9003173C9",
      receptorRfc: "MCI7306249Y1",
      uuid: stamped.uuid,
    });
    const retain = new Date(object!.customMetadata!.retainUntil!).getTime();
    expect(retain - Date.now()).toBeGreaterThan(4.99 * 365 * 86_400_000);

    const pdf = await api(`/v1/invoices/${draft.id}/pdf`, { token: t.user });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const pdfBytes = new Uint8Array(await pdf.arrayBuffer());
    expect(new TextDecoder().decode(pdfBytes.slice(0, 5))).toBe("%PDF-");
    expect((await api(`/v1/invoices/${draft.id}/pdf`, { token: t.user })).status).toBe(200);

    const again = await stamp(t.user, draft.id);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(stamped);
    expect(await cfdiEvents(t.tenant.id, draft.id)).toEqual(["CFDI.Stamped"]);

    // The next invoice takes the next folio.
    const second = await draftOf(t);
    expect(((await (await stamp(t.user, second.id)).json()) as InvoiceBody).folio).toBe("2");
  });

  it("two stamps at once: one stamps, the other is told; one folio used", async () => {
    const t = await stampingTenant();
    const draft = await draftOf(t);
    const results = await Promise.all([stamp(t.user, draft.id), stamp(t.user, draft.id)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([200, 409]).toContain(statuses[1]);
    for (const r of results) await r.arrayBuffer();
    const read = (await (await api(`/v1/invoices/${draft.id}`, { token: t.user })).json()) as InvoiceBody;
    expect(read).toMatchObject({ status: "stamped", folio: "1" });
    const next = (await (await api("/v1/fiscal-profile", { token: t.user })).json()) as { nextFolio: number };
    expect(next.nextFolio).toBe(2);
  });
});

describe("POST /v1/invoices/{id}/stamp: refusals", () => {
  it("no CSD → 409; an invoice the engine refused → 409 with its issues; unknown → 404; not stamped → no XML", async () => {
    const { invoicingTenant } = await import("../../test/support/invoicing-fixtures.ts");
    const bare = await invoicingTenant();
    const bareDraft = await draftOf(bare);
    const noCsd = await stamp(bare.user, bareDraft.id);
    expect(noCsd.status).toBe(409);
    expect((await problem(noCsd)).detail).toContain("CSD");
    expect((await api(`/v1/invoices/${bareDraft.id}/xml`, { token: bare.user })).status).toBe(404);
    expect((await api(`/v1/invoices/${bareDraft.id}/pdf`, { token: bare.user })).status).toBe(404);

    const t = await stampingTenant();
    const refused = await api("/v1/invoices", {
      method: "POST",
      token: t.user,
      json: { invoice: { tipoDeComprobante: "I", conceptos: [] } },
    });
    const invalid = (await refused.json()) as InvoiceBody;
    expect(invalid.status).toBe("validation_failed");
    const res = await stamp(t.user, invalid.id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    expect((await stamp(t.user, crypto.randomUUID())).status).toBe(404);
  });
});

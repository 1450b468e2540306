import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { testEnv } from "../../test/support/env.ts";
import { api, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";
import { BROWSER_UA } from "../../test/support/public-fixtures.ts";
import {
  acceptOnPublicPage,
  cancel,
  cfdiEvents,
  draftOf,
  eventually,
  proposalTasks,
  readInvoice,
  stamp,
} from "../../test/support/invoice-lifecycle.ts";
import { EKU_PROFILE, stampingTenant } from "../../test/support/invoicing-fixtures.ts";
import { handleScheduled } from "../cron/scheduled.ts";
import type { InvoiceBody } from "./invoice-schema.ts";

// The invoice's life after stamping with the sandbox PAC (issue 13): cancellation, the sweep that
// finishes a stamp a crash left half-way, and auto-invoicing of accepted proposals. The PAC fakes'
// answers (timeouts, pending cancellations, refusals) have their own suite (pac-providers.test.ts).

async function stamped(t: Awaited<ReturnType<typeof stampingTenant>>): Promise<InvoiceBody> {
  const draft = await draftOf(t);
  const res = await stamp(t.user, draft.id);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as InvoiceBody;
}

async function everyMinute(): Promise<void> {
  const ctx = createExecutionContext();
  await handleScheduled(createScheduledController({ cron: "* * * * *" }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

describe("POST /v1/invoices/{id}/cancel (sandbox PAC)", () => {
  it("motivo 02 → cancelled with CFDI.Cancelled once; repeating it changes nothing; another motivo → 409", async () => {
    const t = await stampingTenant();
    const manager = await tokenFor(t.tenant, { role: "manager" });
    const invoice = await stamped(t);
    expect((await cancel(t.user, invoice.id, { motivo: "02" })).status).toBe(403);

    const res = await cancel(manager, invoice.id, { motivo: "02" });
    expect(res.status, await res.clone().text()).toBe(200);
    const cancelled = (await res.json()) as InvoiceBody;
    expect(cancelled).toMatchObject({
      status: "cancelled",
      uuid: invoice.uuid,
      cancellation: { motivo: "02", folioSustitucion: null },
    });
    expect(cancelled.cancelledAt).not.toBeNull();

    const again = await cancel(manager, invoice.id, { motivo: "02" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as InvoiceBody).version).toBe(cancelled.version);
    const other = await cancel(manager, invoice.id, { motivo: "03" });
    expect(other.status).toBe(409);
    await other.arrayBuffer();
    expect(await cfdiEvents(t.tenant.id, invoice.id)).toEqual(["CFDI.Stamped", "CFDI.Cancelled"]);
    // A cancelled invoice is never stamped again, and its proposal may be invoiced anew.
    expect((await stamp(t.user, invoice.id)).status).toBe(409);
  });

  it("motivo 01 needs the UUID of another stamped invoice of the account; 02 refuses one", async () => {
    const t = await stampingTenant();
    const original = await stamped(t);
    const draft = await draftOf(t);
    const other = await stampingTenant();
    const foreign = await stamped(other);

    for (const [body, path] of [
      [{ motivo: "01" }, "body.folioSustitucion"],
      [{ motivo: "01", folioSustitucion: crypto.randomUUID() }, "body.folioSustitucion"],
      [{ motivo: "01", folioSustitucion: foreign.uuid }, "body.folioSustitucion"],
      [{ motivo: "01", folioSustitucion: original.uuid }, "body.folioSustitucion"],
      [{ motivo: "02", folioSustitucion: foreign.uuid }, "body.folioSustitucion"],
    ] as const) {
      const res = await cancel(t.admin, original.id, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await problem(res)).errors?.[0]?.path).toBe(path);
    }
    for (const body of [{ motivo: "05" }, { motivo: "02", extra: 1 }, {}]) {
      const res = await cancel(t.admin, original.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      await res.arrayBuffer();
    }
    const notStamped = await cancel(t.admin, draft.id, { motivo: "02" });
    expect(notStamped.status).toBe(409);
    await notStamped.arrayBuffer();
    expect((await readInvoice(t.user, original.id)).status).toBe("stamped");

    const substitute = await stamp(t.user, draft.id);
    const replacement = (await substitute.json()) as InvoiceBody;
    const res = await cancel(t.admin, original.id, { motivo: "01", folioSustitucion: replacement.uuid });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "cancelled",
      cancellation: { motivo: "01", folioSustitucion: replacement.uuid },
    });
  });
});

describe("the every-minute sweep finishes stamps left half-way", () => {
  it("an invoice left `stamping` past its lease (its sealed XML kept) is stamped by the queue with the same bytes", async () => {
    const t = await stampingTenant();
    const draft = await draftOf(t);
    // A request that sealed the CFDI and died before the PAC's answer was recorded: claimed, sealed, lease run out.
    const first = await stamp(t.user, draft.id);
    const firstBody = (await first.json()) as InvoiceBody;
    const xml = await (await api(`/v1/invoices/${draft.id}/xml`, { token: t.user })).text();
    const sealed = xml.replace(/<cfdi:Complemento>.*<\/cfdi:Complemento>/s, "");
    await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${t.tenant.id}, true)`,
      ownerSql`update cfdi_invoices set status = 'stamping', uuid = null, sealed_xml = ${sealed}, stamp_lease_until = now() - interval '1 second' where id = ${draft.id}`,
    ]);

    await everyMinute();
    const done = await eventually(
      () => readInvoice(t.user, draft.id),
      (i) => i.status === "stamped",
    );
    // The same sealed CFDI gets the same stamp (the sandbox answers a repeat like a PAC's "already stamped").
    expect(done.uuid).toBe(firstBody.uuid);
    expect(await (await api(`/v1/invoices/${draft.id}/xml`, { token: t.user })).text()).toBe(xml);
  });

  it("a claim whose holder died before sealing is sealed and stamped anew, keeping its folio", async () => {
    const t = await stampingTenant();
    const draft = await draftOf(t);
    await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${t.tenant.id}, true)`,
      ownerSql`update fiscal_profiles set next_folio = next_folio + 1 where tenant_id = ${t.tenant.id}`,
      ownerSql`update cfdi_invoices set status = 'stamping', folio = '1', stamp_attempts = 1, stamp_lease_until = now() - interval '1 second' where id = ${draft.id}`,
    ]);
    await everyMinute();
    const done = await eventually(
      () => readInvoice(t.user, draft.id),
      (i) => i.status === "stamped",
    );
    expect(done).toMatchObject({ folio: "1", serie: "A" });
    expect(await cfdiEvents(t.tenant.id, draft.id)).toEqual(["CFDI.Stamped"]);
  });
});

describe("autoInvoiceOnAccept", () => {
  it("a proposal accepted on its public page is invoiced and stamped by the queue, once", async () => {
    const t = await stampingTenant();
    const put = await api("/v1/fiscal-profile", {
      method: "PUT",
      token: t.admin,
      json: { ...EKU_PROFILE, autoInvoiceOnAccept: true },
    });
    expect(((await put.json()) as { autoInvoiceOnAccept: boolean }).autoInvoiceOnAccept).toBe(true);
    const { proposalId, url } = await acceptOnPublicPage(t);
    const list = await eventually(
      async () =>
        (await (await api(`/v1/invoices?proposalId=${proposalId}`, { token: t.user })).json()) as {
          data: InvoiceBody[];
        },
      (l) => l.data[0]?.status === "stamped",
    );
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ proposalId, status: "stamped", folio: "1" });
    expect(await proposalTasks(t.tenant.id, proposalId)).toEqual([]);

    // The customer's page now links the invoice: signed 15-minute links to the XML and the PDF.
    const page = await (await api(url, { headers: { "user-agent": BROWSER_UA } })).text();
    const section = /data-testid="invoice">([\s\S]*?)<\/p>/.exec(page)?.[1] ?? "";
    expect(section).toContain("Factura A-1");
    const links = [...section.matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1]!.replaceAll("&amp;", "&")).pathname);
    expect(links).toHaveLength(2);
    const xml = await api(links[0]!);
    expect(xml.status).toBe(200);
    expect(xml.headers.get("content-type")).toContain("application/xml");
    const invoiceId = list.data[0]!.id;
    expect(await xml.text()).toBe(await (await api(`/v1/invoices/${invoiceId}/xml`, { token: t.user })).text());
    const pdf = await api(links[1]!);
    expect(pdf.status).toBe(200);
    expect(new TextDecoder().decode(new Uint8Array(await pdf.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
  });

  it("a proposal that cannot be invoiced leaves a task for its owner with the reason; with the setting off, nothing happens", async () => {
    const off = await stampingTenant();
    const { proposalId: offProposal } = await acceptOnPublicPage(off);
    const t = await stampingTenant();
    await api("/v1/fiscal-profile", {
      method: "PUT",
      token: t.admin,
      json: { ...EKU_PROFILE, autoInvoiceOnAccept: true },
    });
    // A customer without a régimen fiscal: the CFDI cannot name its receptor.
    await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${t.tenant.id}, true)`,
      ownerSql`update customers set regimen_fiscal = null where id = ${t.customerId}`,
    ]);
    const { proposalId: on } = await acceptOnPublicPage(t);
    const tasks = await eventually(
      () => proposalTasks(t.tenant.id, on),
      (rows) => rows.length > 0,
    );
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.subject).toContain("Factura pendiente");
    expect(tasks[0]!.body).toContain("no se pudo emitir automáticamente: faltan datos para facturar");
    expect(tasks[0]!.user_id).not.toBeNull();
    for (const [tenant, proposalId] of [
      [t, on],
      [off, offProposal],
    ] as const) {
      const invoices = (await (await api(`/v1/invoices?proposalId=${proposalId}`, { token: tenant.user })).json()) as {
        data: unknown[];
      };
      expect(invoices.data).toEqual([]);
    }
    expect(await proposalTasks(off.tenant.id, offProposal)).toEqual([]);
  });
});

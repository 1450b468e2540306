import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { verifyCfdi } from "../../core/cfdi/verify.ts";
import { consumeStamping } from "../../queues/stamping-consumer.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";
import { cancel, cfdiEvents, draftOf, eventually, readInvoice, stamp } from "../../test/support/invoice-lifecycle.ts";
import { EKU_PROFILE, stampingTenant } from "../../test/support/invoicing-fixtures.ts";
import { acceptOnPublicPage } from "../../test/support/invoice-lifecycle.ts";
import { form } from "../../test/support/public-fixtures.ts";
import { cadenaFromXml } from "../../core/cfdi/cadena.ts";
import type { Env } from "../../platform/env.ts";
import { handleScheduled } from "../cron/scheduled.ts";
import type { InvoiceBody } from "./invoice-schema.ts";

// Stamping and cancelling through Finkok (SOAP) and SW Sapien (REST), against their local fakes
// (scripts/local/pac-finkok.ts, pac-sw.ts), which check what the real services check, and issue
// 13's acceptance test across the sandbox and both fakes. The fakes' failure switches are global,
// so every suite that stamps with them lives in this file, in sequence.

const PROVIDERS = [
  { provider: "finkok", url: () => testEnv.TEST_FINKOK_URL!, stampOp: "stamp", statusOp: "get_sat_status" },
  { provider: "sw", url: () => testEnv.TEST_SW_URL!, stampOp: "stamp", statusOp: "status" },
] as const;

async function control(base: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return res.json();
}

async function expireLease(tenantId: string, id: string): Promise<void> {
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`update cfdi_invoices set stamp_lease_until = now() - interval '1 second' where id = ${id}`,
  ]);
}

async function everyMinute(): Promise<void> {
  const ctx = createExecutionContext();
  await handleScheduled(createScheduledController({ cron: "* * * * *" }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

for (const pac of PROVIDERS) {
  describe(`${pac.provider}: stamp and cancel through the local fake`, () => {
    afterEach(async () => {
      await control(pac.url(), "/__cancel-mode", { mode: "immediate" });
    });

    it("stamps (the TFD verifies with the PAC's certificate), stamping again changes nothing; cancel 02 → cancelled", async () => {
      const t = await stampingTenant(pac.provider);
      const draft = await draftOf(t);
      const res = await stamp(t.user, draft.id);
      expect(res.status, await res.clone().text()).toBe(200);
      const stamped = (await res.json()) as InvoiceBody;
      expect(stamped).toMatchObject({ status: "stamped", folio: "1", pacProvider: pac.provider, error: null });
      const xml = await (await api(`/v1/invoices/${draft.id}/xml`, { token: t.user })).text();
      const { certificate } = (await control(pac.url(), "/__certificate")) as { certificate: string };
      const report = await verifyCfdi(xml, { satCertificate: () => certificate });
      expect(report.errors).toEqual([]);
      expect(report.timbre).toMatchObject({ uuid: stamped.uuid, selloSatValid: true });
      expect((await stamp(t.user, draft.id)).status).toBe(200);

      const manager = await tokenFor(t.tenant, { role: "manager" });
      const cancelled = await cancel(manager, draft.id, { motivo: "02" });
      expect(cancelled.status, await cancelled.clone().text()).toBe(200);
      expect(await cancelled.json()).toMatchObject({ status: "cancelled", cancellation: { motivo: "02" } });
      expect(await cfdiEvents(t.tenant.id, draft.id)).toEqual(["CFDI.Stamped", "CFDI.Cancelled"]);
    });

    it("an answer that never came (timeout) → 202 `stamping`; the retry sends the same XML and recovers the stamp", async () => {
      const t = await stampingTenant(pac.provider);
      const draft = await draftOf(t);
      await control(pac.url(), "/__fail", { operation: pac.stampOp, code: "timeout", delayMs: 4_000 });
      const first = await stamp(t.user, draft.id);
      expect(first.status, await first.clone().text()).toBe(202);
      const waiting = (await first.json()) as InvoiceBody;
      expect(waiting.status).toBe("stamping");
      expect(waiting.error).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryInSeconds: 30 });
      // Held for the queued retry: a person pressing again is told so.
      const held = await stamp(t.user, draft.id);
      expect(held.status).toBe(409);
      await held.arrayBuffer();

      await expireLease(t.tenant.id, draft.id);
      const retried = await stamp(t.user, draft.id);
      expect(retried.status, await retried.clone().text()).toBe(200);
      const done = (await retried.json()) as InvoiceBody;
      expect(done).toMatchObject({ status: "stamped", folio: "1", error: null });
      const requests = (await control(pac.url(), `/__requests?operation=${pac.stampOp}`)) as unknown[];
      expect(requests.length).toBeGreaterThanOrEqual(2);
      // One stamp at the PAC: the UUID the fake gave the first (lost) answer is the one recorded.
      const xml = await (await api(`/v1/invoices/${draft.id}/xml`, { token: t.user })).text();
      expect(xml).toContain(`UUID="${done.uuid}"`);
      expect(await cfdiEvents(t.tenant.id, draft.id)).toEqual(["CFDI.Stamped"]);
    });

    it("a PAC that keeps failing is retried through the queue by the sweep; a PAC's refusal is `stamp_failed` with its code", async () => {
      const t = await stampingTenant(pac.provider);
      const draft = await draftOf(t);
      await control(pac.url(), "/__fail", { operation: pac.stampOp, code: "5xx" });
      expect((await stamp(t.user, draft.id)).status).toBe(202);
      await expireLease(t.tenant.id, draft.id);
      await everyMinute();
      const done = await eventually(
        () => readInvoice(t.user, draft.id),
        (i) => i.status === "stamped",
      );
      expect(done.folio).toBe("1");

      const refused = await draftOf(t);
      await control(pac.url(), "/__fail", { operation: pac.stampOp, code: "CFDI40102" });
      const res = await stamp(t.user, refused.id);
      expect(res.status).toBe(422);
      const body = await problem(res);
      expect((body as { pacCode?: string }).pacCode).toBe("CFDI40102");
      const failed = await readInvoice(t.user, refused.id);
      expect(failed).toMatchObject({ status: "stamp_failed", error: { pacCode: "CFDI40102" } });
      // Fixed at the PAC's end (here: the switch is spent), the retry seals anew and stamps, same folio.
      const again = await stamp(t.user, refused.id);
      expect(again.status, await again.clone().text()).toBe(200);
      expect(((await again.json()) as InvoiceBody).folio).toBe(failed.folio);
      expect(await cfdiEvents(t.tenant.id, refused.id)).toEqual(["CFDI.StampFailed", "CFDI.Stamped"]);
    });

    it("refused credentials → 409, the invoice keeps what it had", async () => {
      const t = await stampingTenant(
        pac.provider,
        pac.provider === "finkok"
          ? { username: "u@example.mx", password: "invalid" }
          : { user: "u@example.mx", password: "invalid" },
      );
      const draft = await draftOf(t);
      const res = await stamp(t.user, draft.id);
      expect(res.status).toBe(409);
      expect((await problem(res)).detail).toBeTruthy();
      expect(await readInvoice(t.user, draft.id)).toMatchObject({ status: "stamp_failed" });
    });

    it("a cancellation the receptor must accept is `cancel_pending`, followed by the sweep until SAT says Cancelado (or rejected)", async () => {
      const t = await stampingTenant(pac.provider);
      const accepted = await draftOf(t);
      const rejected = await draftOf(t);
      for (const d of [accepted, rejected]) expect((await stamp(t.user, d.id)).status).toBe(200);
      await control(pac.url(), "/__cancel-mode", { mode: "pending" });
      const pending = await cancel(t.admin, accepted.id, { motivo: "02" });
      expect(pending.status, await pending.clone().text()).toBe(200);
      const pendingBody = (await pending.json()) as InvoiceBody;
      expect(pendingBody).toMatchObject({ status: "cancel_pending", cancellation: { motivo: "02" } });
      expect((await cancel(t.admin, rejected.id, { motivo: "03" })).status).toBe(200);

      await control(pac.url(), "/__resolve", { uuid: pendingBody.uuid, outcome: "accepted" });
      const rejectedUuid = (await readInvoice(t.user, rejected.id)).uuid;
      await control(pac.url(), "/__resolve", { uuid: rejectedUuid, outcome: "rejected" });
      await ownerSql.transaction([
        ownerSql`select set_config('app.tenant_id', ${t.tenant.id}, true)`,
        ownerSql`update cfdi_invoices set cancel_requested_at = now() - interval '1 hour', cancel_checked_at = now() - interval '1 hour' where tenant_id = ${t.tenant.id}`,
      ]);
      await everyMinute();
      const done = await eventually(
        () => readInvoice(t.user, accepted.id),
        (i) => i.status === "cancelled",
      );
      expect(done.cancelledAt).not.toBeNull();
      const back = await eventually(
        () => readInvoice(t.user, rejected.id),
        (i) => i.status !== "cancel_pending",
      );
      expect(back).toMatchObject({ status: "stamped", cancellation: null, error: { code: "CANCEL_REJECTED" } });
      expect(await cfdiEvents(t.tenant.id, accepted.id)).toEqual(["CFDI.Stamped", "CFDI.Cancelled"]);
      expect(await cfdiEvents(t.tenant.id, rejected.id)).toEqual(["CFDI.Stamped"]);
    });
  });
}

async function oracle<T>(path: string, body: BodyInit, contentType: string): Promise<T> {
  const url = testEnv.TEST_CFDI_ORACLE_URL;
  if (!url) throw new Error("TEST_CFDI_ORACLE_URL is not set: run the suites with `npm test`");
  const res = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": contentType }, body });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

async function pacCertificate(provider: "sandbox" | "finkok" | "sw"): Promise<string> {
  if (provider === "sandbox") return (testEnv as unknown as Env).SANDBOX_PAC_CERTIFICATE!;
  const base = provider === "finkok" ? testEnv.TEST_FINKOK_URL! : testEnv.TEST_SW_URL!;
  return ((await control(base, "/__certificate")) as { certificate: string }).certificate;
}

describe("acceptance: proposal → accepted on its page → stamped invoice → XML and PDF check out → cancel 02", () => {
  for (const provider of ["sandbox", "finkok", "sw"] as const) {
    it(`${provider}: every step once, and repeating any step changes nothing`, { timeout: 60_000 }, async () => {
      const t = await stampingTenant(provider);
      await api("/v1/fiscal-profile", {
        method: "PUT",
        token: t.admin,
        json: { ...EKU_PROFILE, autoInvoiceOnAccept: true },
      });
      const { proposalId, url, formToken } = await acceptOnPublicPage(t);
      const list = async () =>
        (
          (await (await api(`/v1/invoices?proposalId=${proposalId}`, { token: t.user })).json()) as {
            data: InvoiceBody[];
          }
        ).data;
      const [invoice] = await eventually(list, (l) => l[0]?.status === "stamped");
      expect(invoice).toMatchObject({ status: "stamped", folio: "1", pacProvider: provider });

      // The XML, as archived in R2, verifies with the engine and with SAT's XSLT + openssl.
      const xml = await (await api(`/v1/invoices/${invoice!.id}/xml`, { token: t.user })).text();
      const certificate = await pacCertificate(provider);
      const report = await verifyCfdi(xml, { satCertificate: () => certificate });
      expect(report.errors).toEqual([]);
      expect(report).toMatchObject({ valid: true, timbre: { uuid: invoice!.uuid, selloSatValid: true } });
      const sat = await oracle<{ cadena: string; selloValid: boolean; selloSatValid: boolean }>(
        "/cfdi",
        JSON.stringify({ xml, pacCertificate: certificate }),
        "application/json",
      );
      expect(sat).toMatchObject({ selloValid: true, selloSatValid: true });
      expect(sat.cadena).toBe(cadenaFromXml(xml));
      const archived = await (testEnv as unknown as Env).DOCUMENTS!.list({
        prefix: `tenants/${t.tenant.id}/cfdi/`,
      });
      expect(archived.objects.map((o) => o.key)).toEqual([
        expect.stringMatching(new RegExp(`/${invoice!.uuid!.toLowerCase()}\\.xml$`)),
      ]);

      // The PDF carries the SAT QR (verificacfdi with this UUID).
      const pdf = await api(`/v1/invoices/${invoice!.id}/pdf`, { token: t.user });
      expect(pdf.status).toBe(200);
      const printed = await oracle<{ text: string; qr: string }>(
        "/pdf",
        new Uint8Array(await pdf.arrayBuffer()),
        "application/pdf",
      );
      expect(printed.qr).toContain("verificacfdi.facturaelectronica.sat.gob.mx");
      expect(printed.qr).toContain(`id=${invoice!.uuid}`);
      expect(printed.text).toContain(invoice!.uuid!);

      const manager = await tokenFor(t.tenant, { role: "manager" });
      const cancelled = await cancel(manager, invoice!.id, { motivo: "02" });
      expect(cancelled.status, await cancelled.clone().text()).toBe(200);
      const after = (await cancelled.json()) as InvoiceBody;
      expect(after.status).toBe("cancelled");

      // Every step again: the page's accept, the stamp, the cancellation, the queue's redelivery.
      const acceptAgain = await api(`${url}/accept`, {
        method: "POST",
        ...form({ formToken, fullName: "Sofía Hernández Vega", confirm: "si" }),
      });
      expect(acceptAgain.status).toBeLessThan(500);
      await acceptAgain.arrayBuffer();
      expect((await stamp(t.user, invoice!.id)).status).toBe(409);
      const cancelAgain = await cancel(manager, invoice!.id, { motivo: "02" });
      expect(cancelAgain.status).toBe(200);
      expect(((await cancelAgain.json()) as InvoiceBody).version).toBe(after.version);
      const outbox = async () =>
        (
          await ownerSql.transaction([
            ownerSql`select set_config('app.tenant_id', ${t.tenant.id}, true)`,
            ownerSql`select id, type from outbox where tenant_id = ${t.tenant.id} and (type like 'CFDI.%' or type = 'Proposal.Accepted') order by created_at`,
          ])
        )[1] as { id: string; type: string }[];
      const accepted = (await outbox()).find((e) => e.type === "Proposal.Accepted")!;
      // The queue delivers at least once: the accepted proposal's message again changes nothing.
      const batch = createMessageBatch("crm-stamping", [
        {
          id: "again",
          timestamp: new Date(),
          attempts: 2,
          body: { kind: "auto-invoice", tenantId: t.tenant.id, proposalId, eventId: accepted.id },
        },
      ]);
      const ctx = createExecutionContext();
      await consumeStamping(batch, testEnv, ctx);
      expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["again"]);
      await everyMinute();
      expect((await outbox()).map((e) => e.type)).toEqual(["Proposal.Accepted", "CFDI.Stamped", "CFDI.Cancelled"]);
      expect(await list()).toHaveLength(1);
    });
  }
});

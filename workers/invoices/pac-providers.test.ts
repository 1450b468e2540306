import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { verifyCfdi } from "../../core/cfdi/verify.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";
import { cancel, cfdiEvents, draftOf, eventually, readInvoice, stamp } from "../../test/support/invoice-lifecycle.ts";
import { stampingTenant } from "../../test/support/invoicing-fixtures.ts";
import { handleScheduled } from "../cron/scheduled.ts";
import type { InvoiceBody } from "./invoice-schema.ts";

// Stamping and cancelling through Finkok (SOAP) and SW Sapien (REST), against their local fakes
// (scripts/local/pac-finkok.ts, pac-sw.ts), which check what the real services check. The fakes'
// failure switches are global, so every suite that steers them lives in this file, in sequence.

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

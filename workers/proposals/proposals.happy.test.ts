import { describe, expect, it } from "vitest";
import { api, createTenant, measuredApi, ownerSql, tokenFor } from "../../test/support/harness.ts";
import {
  createProposal,
  seedCustomer,
  seedLead,
  THREE_ITEMS,
  type ProposalBody,
} from "../../test/support/proposal-fixtures.ts";
import { testEnv } from "../../test/support/env.ts";
import { sha256Hex } from "../../core/encoding/digest.ts";

describe("proposals", () => {
  it("computes line amounts and totals exactly to the cent (one discounted, one exento)", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const res = await api("/v1/proposals", {
      method: "POST",
      token,
      json: { title: "Equipo y servicios", leadId, validUntil: "2099-12-31", items: THREE_ITEMS },
    });
    expect(res.status).toBe(201);
    const p = (await res.json()) as ProposalBody;
    // By hand (round half up to cents per line):
    // 1) 3 × 1499.99 = 4499.97; 10 % = 449.997 → 450.00; base 4049.97; IVA 16 % = 647.9952 → 648.00; total 4697.97
    // 2) 1 × 850.00 = 850.00; exento → tax 0.00; total 850.00
    // 3) 2.5 × 333.33 = 833.325 → 833.33; base 833.33; IVA 133.3328 → 133.33; total 966.66
    expect(p.items.map((i) => [i.subtotal, i.discount, i.taxableBase, i.tax, i.total])).toEqual([
      ["4499.97", "450.00", "4049.97", "648.00", "4697.97"],
      ["850.00", "0.00", "850.00", "0.00", "850.00"],
      ["833.33", "0.00", "833.33", "133.33", "966.66"],
    ]);
    expect({ subtotal: p.subtotal, discountTotal: p.discountTotal, taxTotal: p.taxTotal, total: p.total }).toEqual({
      subtotal: "6183.30",
      discountTotal: "450.00",
      taxTotal: "781.33",
      total: "6514.63",
    });
    expect(p.items[1]?.taxRate).toBeNull();
    expect(p.items[0]).toMatchObject({ quantity: "3", unitPrice: "1499.99", discountPercent: "10", taxRate: "0.16" });
    expect(p).toMatchObject({
      status: "draft",
      currency: "MXN",
      exchangeRate: "1",
      leadId,
      customerId: null,
      version: 1,
    });
    expect(p.proposalNumber).toMatch(/^COT-\d{4}-00001$/);
    expect(res.headers.get("etag")).toBe('"v1"');
    expect(res.headers.get("location")).toBe(`/v1/proposals/${p.id}`);

    const stored =
      await ownerSql`select subtotal::text, discount_total::text, tax_total::text, total::text from proposals where id = ${p.id}`;
    expect(stored).toEqual([{ subtotal: "6183.30", discount_total: "450.00", tax_total: "781.33", total: "6514.63" }]);
    const got = await api(`/v1/proposals/${p.id}`, { token });
    expect(await got.json()).toEqual(p);
  });

  it("numbers 20 parallel creations in one tenant with 20 distinct consecutive numbers", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const customerId = await seedCustomer(tenant.id);
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createProposal(token, { title: `Paralela ${i}`, customerId })),
    );
    const seqs = created.map((p) => Number(p.proposalNumber.slice(-5))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const year = created[0]?.proposalNumber.slice(4, 8);
    expect(new Set(created.map((p) => p.proposalNumber.slice(0, 9)))).toEqual(new Set([`COT-${year}-`]));
    const counter = await ownerSql`select last_value from proposal_number_sequences where tenant_id = ${tenant.id}`;
    expect(counter).toEqual([{ last_value: 20 }]);
    // Another tenant starts its own sequence.
    const other = await createTenant();
    const p = await createProposal(await tokenFor(other), { customerId: await seedCustomer(other.id) });
    expect(p.proposalNumber).toBe(`COT-${year}-00001`);
  });

  it("a failed creation leaves no gap in the numbering", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    await createProposal(token, { leadId });
    const bad = await api("/v1/proposals", {
      method: "POST",
      token,
      json: { title: "X", leadId: crypto.randomUUID() },
    });
    expect(bad.status).toBe(422);
    const next = await createProposal(token, { leadId });
    expect(next.proposalNumber.slice(-5)).toBe("00002");
  });

  it("recomputes stored totals when items are replaced, added and removed", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const p = await createProposal(token, { leadId, items: [THREE_ITEMS[0]] });
    expect(p.total).toBe("4697.97");

    const patched = await api(`/v1/proposals/${p.id}`, {
      method: "PATCH",
      token,
      headers: { "if-match": '"v1"' },
      json: { title: "Nueva", items: THREE_ITEMS.slice(1) },
    });
    expect(patched.status).toBe(200);
    const afterPatch = (await patched.json()) as ProposalBody;
    expect(afterPatch).toMatchObject({
      title: "Nueva",
      subtotal: "1683.33",
      discountTotal: "0.00",
      taxTotal: "133.33",
      total: "1816.66",
      version: 2,
    });
    expect(afterPatch.items.map((i) => i.name)).toEqual(["Consulta médica (exenta)", "Capacitación"]);
    expect(patched.headers.get("etag")).toBe('"v2"');

    const added = await api(`/v1/proposals/${p.id}/items`, { method: "POST", token, json: THREE_ITEMS[0] });
    expect(added.status).toBe(201);
    const afterAdd = (await added.json()) as ProposalBody;
    expect(afterAdd).toMatchObject({
      subtotal: "6183.30",
      discountTotal: "450.00",
      taxTotal: "781.33",
      total: "6514.63",
      version: 3,
    });
    expect(afterAdd.items.map((i) => i.position)).toEqual([1, 2, 3]);

    const exento = afterAdd.items.find((i) => i.taxRate === null);
    const removed = await api(`/v1/proposals/${p.id}/items/${exento?.id}`, {
      method: "DELETE",
      token,
      headers: { "if-match": '"v3"' },
    });
    expect(removed.status).toBe(200);
    const afterRemove = (await removed.json()) as ProposalBody;
    expect(afterRemove).toMatchObject({
      subtotal: "5333.30",
      discountTotal: "450.00",
      taxTotal: "781.33",
      total: "5664.63",
      version: 4,
    });

    const stored =
      await ownerSql`select p.total::text as total, (select sum(total)::text from proposal_line_items where proposal_id = p.id) as lines from proposals p where id = ${p.id}`;
    expect(stored).toEqual([{ total: "5664.63", lines: "5664.63" }]);
    const events = await ownerSql`select type from outbox where tenant_id = ${tenant.id} order by seq`;
    expect(events.map((e) => e.type)).toEqual([
      "Proposal.Created",
      "Proposal.Updated",
      "Proposal.Updated",
      "Proposal.Updated",
    ]);
  });

  it("takes other currencies with their exchange rate and filters/searches lists", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const customerId = await seedCustomer(tenant.id);
    const usd = await createProposal(token, {
      title: "Servidores importados",
      customerId,
      currency: "USD",
      exchangeRate: "17.2543",
      items: [THREE_ITEMS[2]],
    });
    expect(usd).toMatchObject({ currency: "USD", exchangeRate: "17.2543" });
    const mxn = await createProposal(token, { title: "Mantenimiento", leadId });
    const list = async (qs: string) =>
      ((await (await api(`/v1/proposals${qs}`, { token })).json()) as { data: { id: string }[] }).data.map((p) => p.id);
    expect(await list("")).toEqual([mxn.id, usd.id]);
    expect(await list("?sort=created")).toEqual([usd.id, mxn.id]);
    expect(await list(`?leadId=${leadId}`)).toEqual([mxn.id]);
    expect(await list(`?customerId=${customerId}`)).toEqual([usd.id]);
    expect(await list("?q=servidores")).toEqual([usd.id]);
    expect(await list(`?q=${usd.proposalNumber}`)).toEqual([usd.id]);
    expect(await list("?status=sent")).toEqual([]);
    expect(await list(`?createdFrom=${encodeURIComponent("2000-01-01T00:00:00Z")}&limit=1`)).toEqual([mxn.id]);
    const page1 = (await (await api("/v1/proposals?limit=1", { token })).json()) as { nextCursor: string };
    expect(await list(`?limit=1&cursor=${page1.nextCursor}`)).toEqual([usd.id]);
  });

  it("sends once: the URL's token hashes to the stored hash and the raw token is stored nowhere", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { role: "manager" });
    const p = await createProposal(token, { customerId: await seedCustomer(tenant.id), items: THREE_ITEMS });
    const res = await api(`/v1/proposals/${p.id}/send`, {
      method: "POST",
      token,
      headers: { "idempotency-key": "enviar-1" },
    });
    expect(res.status).toBe(200);
    const sent = (await res.json()) as { url: string; token: string; proposal: ProposalBody };
    expect(sent.url).toBe(`${(testEnv.PUBLIC_BASE_URL ?? "http://crm.test").replace(/\/+$/, "")}/p/${sent.token}`);
    expect(sent.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent.proposal).toMatchObject({ status: "sent", version: 2, total: "6514.63" });
    expect(sent.proposal.linkCreatedAt).not.toBeNull();
    expect(JSON.stringify(sent.proposal)).not.toContain("Hash");

    const [row] =
      await ownerSql`select public_token_hash, public_token_created_at, sent_at, status from proposals where id = ${p.id}`;
    expect(row?.public_token_hash).toBe(await sha256Hex(sent.token));
    // Nowhere in the tenant's rows (proposal, outbox events, idempotency records, activities).
    const leaks = await ownerSql`select
        (select count(*) from proposals where tenant_id = ${tenant.id} and to_jsonb(proposals)::text like ${`%${sent.token}%`})::int as proposals,
        (select count(*) from outbox where tenant_id = ${tenant.id} and event::text like ${`%${sent.token}%`})::int as outbox,
        (select count(*) from idempotency_keys where tenant_id = ${tenant.id} and to_jsonb(idempotency_keys)::text like ${`%${sent.token}%`})::int as keys,
        (select count(*) from activities where tenant_id = ${tenant.id} and to_jsonb(activities)::text like ${`%${sent.token}%`})::int as activities`;
    expect(leaks).toEqual([{ proposals: 0, outbox: 0, keys: 0, activities: 0 }]);
    const sentEvent =
      await ownerSql`select event from outbox where tenant_id = ${tenant.id} and type = 'Proposal.Sent'`;
    expect(JSON.stringify(sentEvent)).not.toContain(row?.public_token_hash as string);

    // Cannot be sent (or retrieved) again; it can no longer be edited.
    expect((await api(`/v1/proposals/${p.id}/send`, { method: "POST", token })).status).toBe(409);
    expect(JSON.stringify(await (await api(`/v1/proposals/${p.id}`, { token })).json())).not.toContain(sent.token);

    const revoked = await api(`/v1/proposals/${p.id}/revoke-link`, { method: "POST", token });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as ProposalBody).linkRevokedAt).not.toBeNull();
    expect((await api(`/v1/proposals/${p.id}/revoke-link`, { method: "POST", token })).status).toBe(409);
  });

  it("rotates a sent proposal's link when its response was lost: a new link works, the old one stops, Proposal.LinkRotated", async () => {
    const tenant = await createTenant();
    const manager = await tokenFor(tenant, { role: "manager" });
    const p = await createProposal(manager, {
      customerId: await seedCustomer(tenant.id),
      validUntil: "2099-12-31",
      items: THREE_ITEMS,
    });
    const first = (await (await api(`/v1/proposals/${p.id}/send`, { method: "POST", token: manager })).json()) as {
      token: string;
      url: string;
    };
    const browser = {
      headers: {
        "user-agent":
          "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
      },
    };
    expect((await api(new URL(first.url).pathname, browser)).status).toBe(200); // viewed

    const again = await api(`/v1/proposals/${p.id}/send`, { method: "POST", token: manager });
    expect(again.status).toBe(409);
    expect((await again.json()) as { detail: string }).toMatchObject({ detail: expect.stringContaining("rotate") });

    const res = await api(`/v1/proposals/${p.id}/send`, { method: "POST", token: manager, json: { rotate: true } });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { url: string; token: string; proposal: ProposalBody };
    expect(rotated.token).not.toBe(first.token);
    expect(rotated.proposal).toMatchObject({ status: "viewed", version: 4, linkRevokedAt: null });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const [row] = await ownerSql`select public_token_hash, status from proposals where id = ${p.id}`;
    expect(row).toEqual({ public_token_hash: await sha256Hex(rotated.token), status: "viewed" });
    expect((await api(new URL(first.url).pathname, browser)).status).toBe(404);
    expect((await api(new URL(rotated.url).pathname, browser)).status).toBe(200);

    const events =
      await ownerSql`select type, event from outbox where tenant_id = ${tenant.id} and type = 'Proposal.LinkRotated'`;
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(rotated.token);
    expect(JSON.stringify(events)).not.toContain(row?.public_token_hash as string);
    expect(events[0]?.event).toMatchObject({ type: "Proposal.LinkRotated", subject: p.id, specversion: "1.0" });
  });

  it("writes Created, Updated and Sent events with correct CloudEvents envelopes", async () => {
    const tenant = await createTenant();
    const userId = crypto.randomUUID();
    const token = await tokenFor(tenant, { userId });
    const p = await createProposal(token, { leadId: await seedLead(tenant.id), items: [THREE_ITEMS[1]] });
    await api(`/v1/proposals/${p.id}`, {
      method: "PATCH",
      token,
      json: { notes: "Precios sujetos a cambio" },
      headers: { "x-request-id": "req-proposal-0001" },
    });
    await api(`/v1/proposals/${p.id}/send`, { method: "POST", token });
    const rows = await ownerSql`select type, event from outbox where tenant_id = ${tenant.id} order by seq`;
    expect(rows.map((r) => r.type)).toEqual(["Proposal.Created", "Proposal.Updated", "Proposal.Sent"]);
    for (const r of rows) {
      const e = r.event as Record<string, unknown>;
      expect(e).toMatchObject({
        specversion: "1.0",
        type: r.type,
        source: `/tenants/${tenant.id}/proposals`,
        subject: p.id,
        tenantid: tenant.id,
        userid: userId,
        datacontenttype: "application/json",
      });
      expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(e).not.toHaveProperty("tenantId");
      expect(e.data).not.toHaveProperty("publicTokenHash");
    }
    expect((rows[1]?.event as { correlationid: string; data: { notes: string } }).correlationid).toBe(
      "req-proposal-0001",
    );
    expect((rows[1]?.event as { data: { notes: string } }).data.notes).toBe("Precios sujetos a cambio");
    expect((rows[2]?.event as { data: { status: string; total: string } }).data).toMatchObject({
      status: "sent",
      total: "850.00",
    });
  });

  it("deletes drafts only (manager)", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { role: "manager" });
    const customerId = await seedCustomer(tenant.id);
    const draft = await createProposal(token, { customerId, items: [THREE_ITEMS[1]] });
    const toSend = await createProposal(token, { customerId, items: [THREE_ITEMS[1]] });
    await api(`/v1/proposals/${toSend.id}/send`, { method: "POST", token });
    expect((await api(`/v1/proposals/${toSend.id}`, { method: "DELETE", token })).status).toBe(409);
    expect((await api(`/v1/proposals/${draft.id}`, { method: "DELETE", token })).status).toBe(204);
    expect((await api(`/v1/proposals/${draft.id}`, { token })).status).toBe(404);
    expect(await ownerSql`select count(*)::int as n from proposal_line_items where proposal_id = ${draft.id}`).toEqual([
      { n: 0 },
    ]);
  });

  it("round trips: list, get, create, send, patch = 1; item add/remove = one interactive transaction", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const create = await measuredApi("/v1/proposals", {
      method: "POST",
      token,
      json: { title: "RT", leadId, items: THREE_ITEMS },
    });
    expect(create.res.status).toBe(201);
    expect(create.roundTrips).toBe(1);
    const p = (await create.res.json()) as ProposalBody;
    expect((await measuredApi("/v1/proposals", { token })).roundTrips).toBe(1);
    expect((await measuredApi(`/v1/proposals/${p.id}`, { token })).roundTrips).toBe(1);
    const patch = await measuredApi(`/v1/proposals/${p.id}`, {
      method: "PATCH",
      token,
      json: { items: THREE_ITEMS.slice(0, 2) },
    });
    expect(patch.res.status).toBe(200);
    expect(patch.roundTrips).toBe(1);

    // Read-then-decide (computeTotals over the stored lines): read, then a write guarded by the
    // version read — two HTTP round trips, no WebSocket.
    const add = await measuredApi(`/v1/proposals/${p.id}/items`, { method: "POST", token, json: THREE_ITEMS[2] });
    expect(add.res.status).toBe(201);
    const added = (await add.res.json()) as ProposalBody;
    const remove = await measuredApi(`/v1/proposals/${p.id}/items/${added.items[2]?.id}`, { method: "DELETE", token });
    expect(remove.res.status).toBe(200);
    expect(add.stats).toMatchObject({ httpRequests: 2, wsConnections: 0 });
    expect(add.roundTrips).toBe(2);
    expect(remove.roundTrips).toBe(2);

    const send = await measuredApi(`/v1/proposals/${p.id}/send`, { method: "POST", token });
    expect(send.res.status).toBe(200);
    expect(send.roundTrips).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";
import { MAX_AMOUNT } from "../../core/proposals/totals.ts";
import { createProposal, seedCustomer, seedLead, THREE_ITEMS } from "../../test/support/proposal-fixtures.ts";

describe("proposals: bad input", () => {
  it("reports field errors for invalid lines, currency and missing references, writing nothing", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const bad = await api("/v1/proposals", {
      method: "POST",
      token,
      json: {
        title: "",
        leadId,
        currency: "USD",
        items: [
          { name: "A", quantity: "0", unitPrice: "-5", taxRate: "0.16" },
          { name: "B", quantity: 1.5, unitPrice: "10", taxRate: "16" },
          { name: "C", quantity: "1", unitPrice: "1.00001", discountPercent: "120", taxRate: null },
        ],
      },
    });
    expect(bad.status).toBe(400);
    const paths = (await problem(bad)).errors?.map((e) => e.path).sort();
    // Cross-field checks (a line's amounts, currency ↔ rate) run once every field has its type.
    expect(paths).toEqual([
      "body.items.0.quantity",
      "body.items.0.unitPrice",
      "body.items.1.quantity",
      "body.items.2.discountPercent",
      "body.items.2.unitPrice",
      "body.title",
    ]);
    const noRate = await api("/v1/proposals", {
      method: "POST",
      token,
      json: {
        title: "X",
        leadId,
        currency: "USD",
        items: [{ name: "B", quantity: "1", unitPrice: "10", taxRate: "16" }],
      },
    });
    expect((await problem(noRate)).errors?.map((e) => e.path).sort()).toEqual([
      "body.exchangeRate",
      "body.items.0.taxRate",
    ]);
    const noRef = await api("/v1/proposals", { method: "POST", token, json: { title: "Sin cliente" } });
    expect((await problem(noRef)).errors?.map((e) => e.path)).toEqual(["body.leadId"]);
    const fakeCurrency = await api("/v1/proposals", {
      method: "POST",
      token,
      json: { title: "X", leadId, currency: "XYZ", exchangeRate: "2" },
    });
    expect(fakeCurrency.status).toBe(400);
    const mxnRate = await api("/v1/proposals", {
      method: "POST",
      token,
      json: { title: "X", leadId, exchangeRate: "17" },
    });
    expect(mxnRate.status).toBe(400);
    const missingTax = await api("/v1/proposals", {
      method: "POST",
      token,
      json: { title: "X", leadId, items: [{ name: "Sin tasa", quantity: "1", unitPrice: "1" }] },
    });
    expect((await problem(missingTax)).errors?.map((e) => e.path)).toEqual(["body.items.0.taxRate"]);

    for (const json of [{ leadId: crypto.randomUUID() }, { customerId: crypto.randomUUID() }]) {
      const res = await api("/v1/proposals", {
        method: "POST",
        token,
        json: { title: "X", ...json, items: THREE_ITEMS },
      });
      expect(res.status).toBe(422);
      expect((await problem(res)).errors?.map((e) => e.path)).toEqual([`body.${Object.keys(json)[0]}`]);
    }
    const counts = await ownerSql`select (select count(*) from proposals where tenant_id = ${tenant.id})::int as p,
      (select count(*) from proposal_line_items where tenant_id = ${tenant.id})::int as i,
      (select count(*) from proposal_number_sequences where tenant_id = ${tenant.id})::int as s,
      (select count(*) from outbox where tenant_id = ${tenant.id})::int as o`;
    expect(counts).toEqual([{ p: 0, i: 0, s: 0, o: 0 }]);
  });

  it("refuses a proposal whose total exceeds the maximum amount", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const line = { name: "Grande", quantity: "1", unitPrice: "900000000000", taxRate: "0.16" };
    const res = await api("/v1/proposals", { method: "POST", token, json: { title: "X", leadId, items: [line] } });
    expect(res.status).toBe(400);
    const two = await api("/v1/proposals", {
      method: "POST",
      token,
      json: {
        title: "X",
        leadId,
        items: [
          { ...line, taxRate: null },
          { ...line, taxRate: null },
        ],
      },
    });
    expect(two.status).toBe(400);
    expect((await problem(two)).errors?.[0]?.path).toBe("body.items");
    // Adding a line that pushes the stored total over the limit: 422, nothing written.
    const p = await createProposal(token, { leadId, items: [{ ...line, taxRate: null }] });
    const add = await api(`/v1/proposals/${p.id}/items`, { method: "POST", token, json: { ...line, taxRate: null } });
    expect(add.status).toBe(422);
    expect(MAX_AMOUNT).toBe("999999999999.99");
    expect(await ownerSql`select count(*)::int as n from proposal_line_items where proposal_id = ${p.id}`).toEqual([
      { n: 1 },
    ]);
  });

  it("edits drafts only (409) and honours If-Match (412) on PATCH, items and send", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const customerId = await seedCustomer(tenant.id);
    const p = await createProposal(token, { customerId, items: [THREE_ITEMS[1]] });

    const stale = await api(`/v1/proposals/${p.id}`, {
      method: "PATCH",
      token,
      headers: { "if-match": '"v7"' },
      json: { title: "Viejo" },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("etag")).toBe('"v1"');
    expect(
      (
        await api(`/v1/proposals/${p.id}`, {
          method: "PATCH",
          token,
          headers: { "if-match": "garbage" },
          json: { title: "X" },
        })
      ).status,
    ).toBe(412);
    expect(
      (
        await api(`/v1/proposals/${p.id}/items`, {
          method: "POST",
          token,
          headers: { "if-match": '"v9"' },
          json: THREE_ITEMS[0],
        })
      ).status,
    ).toBe(412);
    expect(
      (await api(`/v1/proposals/${p.id}/send`, { method: "POST", token, headers: { "if-match": '"v9"' } })).status,
    ).toBe(412);
    expect((await api(`/v1/proposals/${p.id}/items/${crypto.randomUUID()}`, { method: "DELETE", token })).status).toBe(
      404,
    );
    expect(
      (await api(`/v1/proposals/${p.id}`, { method: "PATCH", token, json: { leadId: crypto.randomUUID() } })).status,
    ).toBe(422);
    expect((await api(`/v1/proposals/${p.id}`, { method: "PATCH", token, json: {} })).status).toBe(400);
    expect((await api(`/v1/proposals/${p.id}`, { method: "PATCH", token, json: { exchangeRate: "18" } })).status).toBe(
      400,
    );

    expect(
      (await api(`/v1/proposals/${p.id}/send`, { method: "POST", token, headers: { "if-match": '"v1"' } })).status,
    ).toBe(200);
    const conflict = await api(`/v1/proposals/${p.id}`, { method: "PATCH", token, json: { title: "Tarde" } });
    expect(conflict.status).toBe(409);
    expect((await problem(conflict)).code).toBe("CONFLICT");
    expect((await api(`/v1/proposals/${p.id}/items`, { method: "POST", token, json: THREE_ITEMS[0] })).status).toBe(
      409,
    );
    const item = ((await (await api(`/v1/proposals/${p.id}`, { token })).json()) as { items: { id: string }[] })
      .items[0];
    expect((await api(`/v1/proposals/${p.id}/items/${item?.id}`, { method: "DELETE", token })).status).toBe(409);
    // No event for refused writes.
    const events = await ownerSql`select type from outbox where tenant_id = ${tenant.id} order by seq`;
    expect(events.map((e) => e.type)).toEqual(["Proposal.Created", "Proposal.Sent"]);
    const [row] = await ownerSql`select title, version from proposals where id = ${p.id}`;
    expect(row).toEqual({ title: "Propuesta", version: 2 });
  });

  it("refuses to send a proposal without items, and bad ids, cursors and sorts without a 500", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const p = await createProposal(token, { leadId: await seedLead(tenant.id) });
    const empty = await api(`/v1/proposals/${p.id}/send`, { method: "POST", token });
    expect(empty.status).toBe(422);
    expect((await api("/v1/proposals/no-uuid", { token })).status).toBe(400);
    expect((await api("/v1/proposals?cursor=garbage", { token })).status).toBe(400);
    expect((await api("/v1/proposals?sort=total", { token })).status).toBe(400);
    expect((await api("/v1/proposals?status=lost", { token })).status).toBe(400);
    expect((await api(`/v1/proposals/${crypto.randomUUID()}/send`, { method: "POST", token })).status).toBe(404);
    expect(
      (await api(`/v1/proposals/${crypto.randomUUID()}`, { method: "PATCH", token, json: { title: "X" } })).status,
    ).toBe(404);
    const malformed = await api("/v1/proposals", {
      method: "POST",
      token,
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
  });
});

describe("proposal items: concurrency and retries", () => {
  it("rotates only sent or viewed links: a draft or a decided proposal is 409, a stale If-Match 412, unknown fields 400", async () => {
    const tenant = await createTenant();
    const manager = await tokenFor(tenant, { role: "manager" });
    const draft = await createProposal(manager, { customerId: await seedCustomer(tenant.id), items: THREE_ITEMS });
    const rotate = (id: string, headers: Record<string, string> = {}) =>
      api(`/v1/proposals/${id}/send`, { method: "POST", token: manager, headers, json: { rotate: true } });
    expect((await rotate(draft.id)).status).toBe(409);
    expect(
      (await api(`/v1/proposals/${draft.id}/send`, { method: "POST", token: manager, json: { rotar: true } })).status,
    ).toBe(400);
    await api(`/v1/proposals/${draft.id}/send`, { method: "POST", token: manager });
    expect((await rotate(draft.id, { "if-match": '"v1"' })).status).toBe(412);
    await ownerSql`update proposals set status = 'accepted', accepted_at = now() where id = ${draft.id}`;
    const decided = await rotate(draft.id);
    expect(decided.status).toBe(409);
    expect(await decided.json()).toMatchObject({ currentStatus: "accepted" });
    expect((await rotate(crypto.randomUUID())).status).toBe(404);
    expect(
      await ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenant.id} and type = 'Proposal.LinkRotated'`,
    ).toEqual([{ n: 0 }]);
  });

  it("parallel item additions all land, with totals matching the stored lines", async () => {
    const {
      api: call,
      createTenant: tenantOf,
      tokenFor: tokenOf,
      ownerSql: owner,
    } = await import("../../test/support/harness.ts");
    const {
      createProposal: create,
      seedCustomer: customer,
      THREE_ITEMS: items,
    } = await import("../../test/support/proposal-fixtures.ts");
    const tenant = await tenantOf();
    const token = await tokenOf(tenant);
    const p = await create(token, { title: "Concurrente", customerId: await customer(tenant.id), items: [items[0]] });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        call(`/v1/proposals/${p.id}/items`, {
          method: "POST",
          token,
          json: { name: `Extra ${i}`, quantity: "1", unitPrice: "100.00", taxRate: "0.16" },
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 201).length;
    // Each either lands (possibly after re-reading) or is told to retry (409): never lost, never doubled.
    expect(ok + results.filter((r) => r.status === 409).length).toBe(5);
    const [row] =
      await owner`select total::text as total, (select count(*)::int from proposal_line_items where proposal_id = ${p.id}) as n,
                                (select sum(total)::text from proposal_line_items where proposal_id = ${p.id}) as sum
                              from proposals where id = ${p.id}`;
    expect(row?.n).toBe(1 + ok);
    expect(row?.total).toBe(row?.sum);
  });

  it("an Idempotency-Key on an item addition adds it once", async () => {
    const {
      api: call,
      createTenant: tenantOf,
      tokenFor: tokenOf,
      ownerSql: owner,
    } = await import("../../test/support/harness.ts");
    const {
      createProposal: create,
      seedCustomer: customer,
      THREE_ITEMS: items,
    } = await import("../../test/support/proposal-fixtures.ts");
    const tenant = await tenantOf();
    const token = await tokenOf(tenant);
    const p = await create(token, { title: "Idempotente", customerId: await customer(tenant.id), items: [items[0]] });
    const send = () =>
      call(`/v1/proposals/${p.id}/items`, {
        method: "POST",
        token,
        headers: { "idempotency-key": "agregar-1" },
        json: { name: "Una vez", quantity: "1", unitPrice: "10.00", taxRate: null },
      });
    const first = await send();
    const second = await send();
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const [row] = await owner`select count(*)::int as n from proposal_line_items where proposal_id = ${p.id}`;
    expect(row?.n).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import { api, ownerSql } from "../../test/support/harness.ts";
import { BROWSER_UA, form, formTokenFrom, sentProposal } from "../../test/support/public-fixtures.ts";

const asBrowser = { headers: { "user-agent": BROWSER_UA } };

describe("public proposal page: bad links and bad forms", () => {
  it("gives a friendly 404 page for unknown and malformed tokens", async () => {
    for (const path of ["/p/" + "A".repeat(43), "/p/short", "/p/" + "%00".repeat(10)]) {
      const res = await api(path, asBrowser);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(await res.text()).toContain("No encontramos esta propuesta");
    }
  });

  it("gives 410 for a withdrawn link and for an expired proposal", async () => {
    const revoked = await sentProposal();
    expect(
      (await api(`/v1/proposals/${revoked.proposal.id}/revoke-link`, { method: "POST", token: revoked.apiToken }))
        .status,
    ).toBeLessThan(300);
    const gone = await api(revoked.url, asBrowser);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain("ya no está disponible");

    const expired = await sentProposal({ validUntil: "2099-12-31" });
    await ownerSql`update proposals set valid_until = '2020-01-01' where id = ${expired.proposal.id}`;
    const res = await api(expired.url, asBrowser);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("ya venció");
    const [row] = await ownerSql`select status from proposals where id = ${expired.proposal.id}`;
    expect(row?.status).toBe("sent");
    const accept = await api(`${expired.url}/accept`, {
      method: "POST",
      ...form({ formToken: "x", fullName: "Ana", confirm: "si" }),
    });
    expect(accept.status).toBe(410);
  });

  it("a suspended seller's links take no decisions: 410 page asking to contact the seller", async () => {
    const { url, proposal, tenant } = await sentProposal();
    const formToken = formTokenFrom(await (await api(url, asBrowser)).text());
    await ownerSql`update tenants set status = 'suspended' where id = ${tenant.id}`;

    const page = await api(url, asBrowser);
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain("no está disponible por ahora");
    expect(html).toContain("contacta a Comercial Demo del Centro");
    expect(html).not.toContain('action="');
    for (const [action, fields] of [
      ["accept", { formToken, fullName: "Ana López", confirm: "si" }],
      ["reject", { formToken, reason: "No" }],
    ] as const) {
      const res = await api(`${url}/${action}`, { method: "POST", ...form(fields) });
      expect(res.status, action).toBe(410);
      expect(await res.text()).toContain("no está disponible por ahora");
    }
    expect((await api(`${url}/pdf`, asBrowser)).status).toBe(410);
    expect(await ownerSql`select status, accepted_at, rejected_at from proposals where id = ${proposal.id}`).toEqual([
      { status: "viewed", accepted_at: null, rejected_at: null },
    ]);
    expect(
      await ownerSql`select type from outbox where tenant_id = ${tenant.id} and type in ('Proposal.Accepted', 'Proposal.Rejected')`,
    ).toEqual([]);
  });

  it("refuses a form without a valid anti-CSRF token, and shows field errors in Spanish", async () => {
    const { url, proposal } = await sentProposal();
    const noToken = await api(`${url}/accept`, { method: "POST", ...form({ fullName: "Ana López", confirm: "si" }) });
    expect(noToken.status).toBe(422);
    expect(await noToken.text()).toContain("El formulario caducó");
    const forged = await api(`${url}/accept`, {
      method: "POST",
      ...form({
        formToken: "1800000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        fullName: "Ana López",
        confirm: "si",
      }),
    });
    expect(forged.status).toBe(422);

    const formToken = formTokenFrom(await (await api(url, asBrowser)).text());
    const bad = await api(`${url}/accept`, {
      method: "POST",
      ...form({ formToken, fullName: "A", rfc: "NOPE", email: "x@" }),
    });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain("Escribe tu nombre completo");
    expect(html).toContain("no tiene un formato válido");
    expect(html).toContain("El correo no es válido");
    expect(html).toContain("Marca la casilla");
    const [row] = await ownerSql`select status from proposals where id = ${proposal.id}`;
    expect(row?.status).toBe("viewed");
  });

  it("a token from another proposal's page does not work here", async () => {
    const a = await sentProposal();
    const b = await sentProposal();
    const tokenA = formTokenFrom(await (await api(a.url, asBrowser)).text());
    const res = await api(`${b.url}/accept`, {
      method: "POST",
      ...form({ formToken: tokenA, fullName: "Ana López", confirm: "si" }),
    });
    expect(res.status).toBe(422);
  });

  it("a draft's link does not exist", async () => {
    const { url, proposal } = await sentProposal();
    await ownerSql`update proposals set public_token_hash = null where id = ${proposal.id}`;
    expect((await api(url, asBrowser)).status).toBe(404);
  });
});

import { describe, expect, it } from "vitest";
import { api, measuredApi, ownerSql } from "../../test/support/harness.ts";
import { BROWSER_UA, form, formTokenFrom, sentProposal } from "../../test/support/public-fixtures.ts";

const asBrowser = { headers: { "user-agent": BROWSER_UA } };

async function events(tenantId: string, type: string) {
  return ownerSql`select event from outbox where tenant_id = ${tenantId} and type = ${type}`;
}

describe("public proposal page", () => {
  it("shows the proposal in Spanish with es-MX money, and records only the first person's view as an event", async () => {
    const { tenant, url, proposal } = await sentProposal();
    const res = await api(url, asBrowser);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="es-MX">');
    expect(html).toContain(proposal.proposalNumber);
    expect(html).toContain("CLINICA SAN RAFAEL");
    expect(html).toContain(`$${Number(proposal.total).toLocaleString("en-US", { minimumFractionDigits: 2 })} MXN`);
    expect(html).toContain("Exento");
    expect(html).not.toContain("<script");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe-inline");

    const [{ status, viewed_at }] =
      (await ownerSql`select status, viewed_at from proposals where id = ${proposal.id}`) as {
        status: string;
        viewed_at: string | null;
      }[] as [{ status: string; viewed_at: string | null }];
    expect(status).toBe("viewed");
    expect(viewed_at).not.toBeNull();
    expect(await events(tenant.id, "Proposal.Viewed")).toHaveLength(1);

    await api(url, asBrowser);
    await api(url, asBrowser);
    expect(await events(tenant.id, "Proposal.Viewed")).toHaveLength(1);
    const [views] = await ownerSql`select metadata->>'views' as views from activities where id = ${proposal.id}`;
    expect(views?.views).toBe("3");
  });

  it("does not count link previewers (WhatsApp unfurler, HEAD) as views", async () => {
    const { tenant, url, proposal } = await sentProposal();
    expect((await api(url, { headers: { "user-agent": "WhatsApp/2.24.23.78 A" } })).status).toBe(200);
    expect((await api(url, { method: "HEAD", headers: { "user-agent": BROWSER_UA } })).status).toBe(200);
    expect((await api(url, { headers: { "user-agent": "facebookexternalhit/1.1" } })).status).toBe(200);
    const [row] = await ownerSql`select status, viewed_at from proposals where id = ${proposal.id}`;
    expect(row).toMatchObject({ status: "sent", viewed_at: null });
    expect(await events(tenant.id, "Proposal.Viewed")).toHaveLength(0);
  });

  it("accepts with a name, once; the page then shows the final state", async () => {
    const { tenant, url, proposal } = await sentProposal();
    const page = await (await api(url, asBrowser)).text();
    const formToken = formTokenFrom(page);
    const res = await api(`${url}/accept`, {
      method: "POST",
      ...form({
        formToken,
        fullName: "Sofía Hernández Vega",
        rfc: "hevs800101ab1",
        email: "Sofia@Clinica.mx",
        confirm: "si",
      }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${url}?resultado=aceptada`);
    const [row] =
      await ownerSql`select status, accepted_by_name, accepted_by_rfc, accepted_by_email, decision_user_agent from proposals where id = ${proposal.id}`;
    expect(row).toMatchObject({
      status: "accepted",
      accepted_by_name: "Sofía Hernández Vega",
      accepted_by_rfc: "HEVS800101AB1",
      accepted_by_email: "sofia@clinica.mx",
      decision_user_agent: BROWSER_UA,
    });
    const accepted = await events(tenant.id, "Proposal.Accepted");
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.event).toMatchObject({
      type: "Proposal.Accepted",
      tenantid: tenant.id,
      source: `/tenants/${tenant.id}/proposals`,
      subject: proposal.id,
    });

    const final = await (await api(`${url}?resultado=aceptada`, asBrowser)).text();
    expect(final).toContain("Propuesta aceptada");
    expect(final).toContain("Sofía Hernández Vega");
    expect(final).not.toContain('action="' + url + '/accept"');

    // Double submission / a second tab: same form again → no second outcome.
    const again = await api(`${url}/accept`, {
      method: "POST",
      ...form({ formToken, fullName: "Otra Persona", confirm: "si" }),
    });
    expect(again.headers.get("location")).toBe(`${url}?resultado=sin-cambios`);
    const reject = await api(`${url}/reject`, { method: "POST", ...form({ formToken, reason: "tarde" }) });
    expect(reject.headers.get("location")).toBe(`${url}?resultado=sin-cambios`);
    expect(await events(tenant.id, "Proposal.Accepted")).toHaveLength(1);
    expect(await events(tenant.id, "Proposal.Rejected")).toHaveLength(0);
  });

  it("rejects with an optional reason", async () => {
    const { tenant, url, proposal } = await sentProposal();
    const formToken = formTokenFrom(await (await api(url, asBrowser)).text());
    const res = await api(`${url}/reject`, {
      method: "POST",
      ...form({ formToken, reason: "Elegimos otro proveedor" }),
    });
    expect(res.headers.get("location")).toBe(`${url}?resultado=rechazada`);
    const [row] = await ownerSql`select status, rejection_reason from proposals where id = ${proposal.id}`;
    expect(row).toEqual({ status: "rejected", rejection_reason: "Elegimos otro proveedor" });
    expect(await events(tenant.id, "Proposal.Rejected")).toHaveLength(1);
    expect(await (await api(url, asBrowser)).text()).toContain("Elegimos otro proveedor");
  });

  it("an accept racing a reject yields exactly one outcome", async () => {
    const { tenant, url, proposal } = await sentProposal();
    const formToken = formTokenFrom(await (await api(url, asBrowser)).text());
    const attempts = await Promise.all([
      api(`${url}/accept`, { method: "POST", ...form({ formToken, fullName: "Ana López", confirm: "si" }) }),
      api(`${url}/reject`, { method: "POST", ...form({ formToken }) }),
      api(`${url}/accept`, { method: "POST", ...form({ formToken, fullName: "Ana López", confirm: "si" }) }),
      api(`${url}/reject`, { method: "POST", ...form({ formToken }) }),
    ]);
    const results = attempts.map((r) => r.headers.get("location")?.split("=")[1]);
    expect(results.filter((r) => r !== "sin-cambios")).toHaveLength(1);
    const [row] = await ownerSql`select status from proposals where id = ${proposal.id}`;
    const decided =
      (await events(tenant.id, "Proposal.Accepted")).length + (await events(tenant.id, "Proposal.Rejected")).length;
    expect(decided).toBe(1);
    expect(["accepted", "rejected"]).toContain(row?.status);
  });

  it("renders a page, and records a decision, in one database round trip each", async () => {
    const { url } = await sentProposal();
    const { res, roundTrips } = await measuredApi(url, asBrowser);
    expect(res.status).toBe(200);
    expect(roundTrips).toBe(1);
    const formToken = formTokenFrom(await res.text());
    const decision = await measuredApi(`${url}/accept`, {
      method: "POST",
      ...form({ formToken, fullName: "Ana López", confirm: "si" }),
    });
    expect(decision.res.status).toBe(303);
    expect(decision.roundTrips).toBe(1);
  });
});

describe("proposal PDF download", () => {
  it("serves the PDF with the page's numbers, stores it in R2 per version and revalidates by ETag", async () => {
    const { url, proposal, tenant } = await sentProposal();
    const res = await api(`${url}/pdf`, asBrowser);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toContain(`${proposal.proposalNumber}.pdf`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const etag = res.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"pdf-v\d+"$/);

    const { env } = await import("cloudflare:workers");
    const version = etag.match(/v(\d+)/)?.[1];
    const stored = await (env as { DOCUMENTS: R2Bucket }).DOCUMENTS.get(
      `tenants/${tenant.id}/proposals/${proposal.id}/v${version}.pdf`,
    );
    expect(stored).not.toBeNull();
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(bytes);

    const again = await api(`${url}/pdf`, { headers: { "user-agent": BROWSER_UA, "if-none-match": etag } });
    expect(again.status).toBe(304);
  });
});

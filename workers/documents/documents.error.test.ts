import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signDownloadLink } from "../../core/documents/download-link.ts";
import type { Env } from "../../platform/env.ts";
import { api, createTenant, problem, tokenFor } from "../../test/support/harness.ts";
import { proposalIn } from "../../test/support/proposal-fixtures.ts";
import { sentProposal } from "../../test/support/public-fixtures.ts";
import { fakeRequests, openConversation, send } from "../../test/support/whatsapp-send.ts";

const bindings = env as unknown as Env;
const secret = () => bindings.ENCRYPTION_SECRET!;

async function linkTo(key: string, expiresAt: number, filename = "x.pdf"): Promise<string> {
  return `/documents/${await signDownloadLink(secret(), { key, filename, contentType: "application/pdf", expiresAt })}`;
}

describe("GET /documents/{token}", () => {
  it("an altered or foreign-secret link is 404, an expired one 410, a missing object 404: problem+json, nothing served", async () => {
    const tenant = await createTenant();
    const key = `tenants/${tenant.id}/proposals/${crypto.randomUUID()}/v1.pdf`;
    await bindings.DOCUMENTS!.put(key, "%PDF-1.7 test", { httpMetadata: { contentType: "application/pdf" } });
    const future = Math.floor(Date.now() / 1000) + 600;

    const good = await linkTo(key, future);
    const ok = await api(good);
    expect(ok.status).toBe(200);
    expect(new TextDecoder().decode(await ok.arrayBuffer())).toBe("%PDF-1.7 test");

    const i = good.lastIndexOf(".") - 3;
    const altered = good.slice(0, i) + (good[i] === "A" ? "B" : "A") + good.slice(i + 1);
    const foreign = `/documents/${await signDownloadLink("f".repeat(40), { key, filename: "x.pdf", contentType: "application/pdf", expiresAt: future })}`;
    for (const path of [
      altered,
      foreign,
      "/documents/nada",
      await linkTo(`tenants/${tenant.id}/missing.pdf`, future),
    ]) {
      const res = await api(path);
      expect(res.status, path).toBe(404);
      expect((await problem(res)).code).toBe("NOT_FOUND");
    }
    const expired = await api(await linkTo(key, Math.floor(Date.now() / 1000) - 1));
    expect(expired.status).toBe(410);
    expect((await problem(expired)).detail).toContain("venció");
  });

  it("a 1 MiB token is refused before any work", async () => {
    const started = performance.now();
    const res = await api(`/documents/${"A".repeat(1 << 20)}.${"B".repeat(43)}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await res.arrayBuffer();
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("GET /v1/proposals/{id}/pdf", () => {
  it("another tenant's proposal is 404 (RLS), without a token 401", async () => {
    const { proposal } = await sentProposal();
    const other = await createTenant();
    const res = await api(`/v1/proposals/${proposal.id}/pdf`, { token: await tokenFor(other) });
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe("NOT_FOUND");
    expect((await api(`/v1/proposals/${proposal.id}/pdf`)).status).toBe(401);
  });
});

describe("WhatsApp document by proposal: refused before anything is sent", () => {
  it("a draft → 409; unknown or another tenant's proposal → 422; url and proposalId together, or neither → 400", async () => {
    const conv = await openConversation("meta");
    const draft = await proposalIn(conv.tenant, { draft: true, title: "Borrador" });
    const { proposal: foreign } = await sentProposal();

    const draftRes = await send(conv, { type: "document", document: { proposalId: draft.id } });
    expect(draftRes.status).toBe(409);
    expect((await problem(draftRes)).detail).toContain("borrador");

    for (const proposalId of [crypto.randomUUID(), foreign.id]) {
      const res = await send(conv, { type: "document", document: { proposalId } });
      expect(res.status).toBe(422);
      expect((await problem(res)).errors?.[0]?.path).toBe("body.document.proposalId");
    }
    for (const document of [{ proposalId: draft.id, url: "https://files.example.mx/a.pdf" }, { filename: "a.pdf" }]) {
      const res = await send(conv, { type: "document", document });
      expect(res.status).toBe(400);
      expect((await problem(res)).detail).toBeTruthy();
    }
    expect(await fakeRequests("meta", conv.fakeKey)).toHaveLength(0);
    // Nothing was rendered for the draft either: no R2 object for it.
    const listed = await (env as unknown as Env).DOCUMENTS!.list({ prefix: `tenants/${conv.tenant.id}/proposals/` });
    expect(listed.objects).toHaveLength(0);
  });

  it("a file name a download header cannot carry → 422 naming it; nothing sent", async () => {
    const conv = await openConversation("meta");
    const proposal = await proposalIn(conv.tenant, { title: "P" });
    for (const filename of ["a/b.pdf", 'co"ti.pdf', "línea\nnueva.pdf"]) {
      const res = await send(conv, { type: "document", document: { proposalId: proposal.id, filename } });
      expect(res.status, filename).toBe(422);
      expect((await problem(res)).errors?.[0]?.path).toBe("body.document.filename");
    }
    expect(await fakeRequests("meta", conv.fakeKey)).toHaveLength(0);
  });

  it("outside the 24-hour window → 422 WINDOW_CLOSED before the PDF is made", async () => {
    const conv = await openConversation("meta", { window: "closed" });
    const proposal = await proposalIn(conv.tenant, { title: "P" });
    const res = await send(conv, { type: "document", document: { proposalId: proposal.id } });
    expect(res.status).toBe(422);
    expect((await problem(res)).code).toBe("WINDOW_CLOSED");
    const listed = await bindings.DOCUMENTS!.list({ prefix: `tenants/${conv.tenant.id}/` });
    expect(listed.objects).toHaveLength(0);
  });
});

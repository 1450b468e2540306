import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { renderProposalPdf } from "../../core/proposals/proposal-pdf.ts";
import { buildProposalView } from "../../core/proposals/proposal-view.ts";
import type { HonoEnv } from "../context.ts";
import { loadPublicProposal, TOKEN_PATTERN, type PublicProposal } from "./public-proposal.ts";

/** R2 key: tenant-scoped, one object per proposal version (any change bumps the version). */
export function proposalPdfKey(p: Pick<PublicProposal, "tenantId" | "id" | "version">): string {
  return `tenants/${p.tenantId}/proposals/${p.id}/v${p.version}.pdf`;
}

/**
 * GET /p/{token}/pdf: the same numbers as the page. Rendered once per proposal version and kept in
 * R2; clients revalidate with the ETag (the version), so an unchanged proposal costs a 304.
 */
export function registerProposalPdf(
  app: OpenAPIHono<HonoEnv>,
  pages: {
    notFound: (c: Context<HonoEnv>) => Response | Promise<Response>;
    gone: (c: Context<HonoEnv>, p: PublicProposal) => Response | Promise<Response>;
  },
): void {
  app.get("/p/:token/pdf", async (c) => {
    const token = c.req.param("token");
    if (!TOKEN_PATTERN.test(token)) return pages.notFound(c);
    const proposal = await loadPublicProposal(c, token, false);
    if (!proposal) return pages.notFound(c);
    if (proposal.gone) return pages.gone(c, proposal);

    const etag = `"pdf-v${proposal.version}"`;
    const headers = {
      etag,
      "cache-control": "private, no-cache",
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="${proposal.view.number}.pdf"`,
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);

    const key = proposalPdfKey(proposal);
    const bucket = c.env.DOCUMENTS;
    const stored = await bucket?.get(key);
    if (stored) {
      c.set("logFields", { ...c.get("logFields"), pdf: "r2" });
      return c.body(stored.body, 200, headers);
    }
    const bytes = await renderProposalPdf(buildProposalView(proposal.view));
    if (bucket) {
      c.executionCtx.waitUntil(
        bucket
          .put(key, bytes, {
            httpMetadata: { contentType: "application/pdf" },
            customMetadata: { tenantId: proposal.tenantId, proposalId: proposal.id, version: String(proposal.version) },
          })
          .catch((err: unknown) => c.get("logger").warn("storing proposal PDF in R2 failed", { key }, err)),
      );
    }
    c.set("logFields", { ...c.get("logFields"), pdf: "rendered" });
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, headers);
  });
}

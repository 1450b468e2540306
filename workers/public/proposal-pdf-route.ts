import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { HonoEnv } from "../context.ts";
import { proposalPdfResponse } from "../documents/proposal-pdf.ts";
import { loadPublicProposal, TOKEN_PATTERN, type PublicProposal } from "./public-proposal.ts";

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

    return proposalPdfResponse(c, proposal);
  });
}

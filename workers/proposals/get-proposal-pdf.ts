import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { loadProposalDocument, proposalPdfResponse } from "../documents/proposal-pdf.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { AppError } from "../http/problem.ts";

const route = createRoute({
  method: "get",
  path: "/v1/proposals/{id}/pdf",
  tags: ["Proposals"],
  summary: "Download a proposal as PDF",
  description:
    "The same document the client gets from the public link, for any status (a draft prints as a draft). Rendered once per version and kept in R2; `ETag` is the version, so `If-None-Match` answers 304 while it is unchanged.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: {
      description: "The PDF",
      content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
    },
    304: { description: "Unchanged since the ETag given in If-None-Match" },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetProposalPdf(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const proposal = await loadProposalDocument(c, c.req.valid("param").id);
    if (!proposal) throw new AppError("NOT_FOUND", "proposal not found");
    return proposalPdfResponse(c, proposal);
  });
}

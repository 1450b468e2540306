import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { deleteDraftProposal, proposalStatus } from "../../db/proposals/proposal-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { requireRole } from "../middleware/require-role.ts";
import { readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/proposals/{id}",
  tags: ["Proposals"],
  summary: "Delete a draft proposal (manager or admin)",
  description: "Only drafts: anything sent is a document the client has seen (409). Its number is not reused.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("manager")] as const,
  request: { params: IdParamSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409),
  },
});

export function registerDeleteProposal(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const tenantId = c.get("auth").tenantId;
    // The read comes first in the batch (a deleted row cannot be read afterwards): it tells 404 from 409.
    const [before, deleted] = await readRun(c, [proposalStatus(tenantId, id), deleteDraftProposal(tenantId, id)]);
    if (deleted.length > 0) return c.body(null, 204);
    const status = before[0]?.status;
    if (!status) throw new AppError("NOT_FOUND", "proposal not found");
    throw new AppError("CONFLICT", `only draft proposals can be deleted; this one is ${status}`, {
      extensions: { status },
    });
  });
}

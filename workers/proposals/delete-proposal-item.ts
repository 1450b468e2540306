import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { changeItems } from "./item-changes.ts";
import { ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { publish } from "../events/publish.ts";

const ParamsSchema = z.object({
  id: z.uuid({ error: "id must be a uuid" }).openapi({ param: { name: "id", in: "path" } }),
  itemId: z.uuid({ error: "itemId must be a uuid" }).openapi({ param: { name: "itemId", in: "path" } }),
});

const route = createRoute({
  method: "delete",
  path: "/v1/proposals/{id}/items/{itemId}",
  tags: ["Proposals"],
  summary: "Remove a line item from a draft",
  description:
    "Removes one line and recomputes the proposal totals from the remaining lines in the same transaction (read, then a write guarded by the version read: 2 round trips). Drafts only (409); `If-Match` honoured.",
  security: [{ bearerAuth: [] }],
  request: { params: ParamsSchema, headers: z.object({ "if-match": z.string().optional() }) },
  responses: {
    200: {
      description: "Removed; the whole proposal",
      content: { "application/json": { schema: ProposalWithItemsSchema } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 412),
  },
});

export function registerDeleteProposalItem(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id, itemId } = c.req.valid("param");
    const { row, items, events } = await changeItems(
      c,
      id,
      ifMatchVersion(c.req.header("if-match")),
      {
        apply: (current) => {
          const keep = current.filter((l) => l.id !== itemId);
          if (keep.length === current.length) throw new AppError("NOT_FOUND", "line item not found in this proposal");
          return { keep };
        },
      },
      200,
    );
    publish(c, events);
    return c.json(toProposalWithItems(row, items), 200, { etag: etagOf(row.version) });
  });
}

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { IdParamSchema } from "../http/params.ts";
import { changeItems } from "./item-changes.ts";
import { LineItemInputSchema, MAX_ITEMS, ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { AppError } from "../http/problem.ts";
import { publish } from "../events/publish.ts";
import { lineFields } from "../../db/proposals/proposal-store.ts";

const route = createRoute({
  method: "post",
  path: "/v1/proposals/{id}/items",
  tags: ["Proposals"],
  summary: "Add a line item to a draft",
  description:
    "Appends one line and recomputes the proposal totals from all its lines in the same transaction (read, then a write guarded by the version read: 2 round trips). Drafts only (409); `If-Match` honoured.",
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    headers: z.object({ "if-match": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: LineItemInputSchema } } },
  },
  responses: {
    201: {
      description: "Added; the whole proposal",
      content: { "application/json": { schema: ProposalWithItemsSchema } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 412, 422),
  },
});

export function registerAddProposalItem(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const item = c.req.valid("json");
    const auth = c.get("auth");
    const { row, items, events } = await changeItems(
      c,
      id,
      ifMatchVersion(c.req.header("if-match")),
      {
        apply: (current) => {
          if (current.length >= MAX_ITEMS)
            throw new AppError("UNPROCESSABLE", `a proposal has at most ${MAX_ITEMS} line items`);
          return {
            keep: current,
            add: {
              tenantId: auth.tenantId,
              proposalId: id,
              position: Math.max(0, ...current.map((l) => l.position)) + 1,
              ...lineFields(item),
            },
          };
        },
      },
      201,
    );
    publish(c, events);
    return c.json(toProposalWithItems(row, items), 201, { etag: etagOf(row.version) });
  });
}

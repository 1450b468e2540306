import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { channelSortColumns, listChannels } from "../../../db/whatsapp/channel-store.ts";
import { whatsappChannels } from "../../../db/schema/whatsapp.ts";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { keyset, ListQuerySchema, page, pageSchema, parseSort } from "../../http/pagination.ts";
import { readRun } from "../../services.ts";
import { ChannelSchema, toChannel } from "./channel-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  sort: z.string().optional().openapi({ description: "created, -created (default), updated, -updated" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/whatsapp/channels",
  tags: ["WhatsApp"],
  summary: "List the tenant's WhatsApp channels",
  description: "Live channels only (deleted ones are not listed).",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of channels",
      content: { "application/json": { schema: pageSchema(ChannelSchema, "WhatsAppChannelPage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerListChannels(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const sort = parseSort(query.sort, ["created", "updated"], { field: "created", direction: "desc" });
    const column = sort.field === "updated" ? channelSortColumns.updated : channelSortColumns.created;
    const { where: after, orderBy } = keyset(sort, column, whatsappChannels.id, query.cursor);
    const [rows] = await readRun(c, [listChannels(c.get("auth").tenantId, { after, orderBy, limit: query.limit + 1 })]);
    const result = page(rows, query.limit, sort, (r) => ({
      value: sort.field === "updated" ? r.updatedAt : r.createdAt,
      id: r.id,
    }));
    const origin = { publicBaseUrl: c.get("config").PUBLIC_BASE_URL, requestUrl: c.req.url };
    return c.json({ data: result.data.map((r) => toChannel(r, origin)), nextCursor: result.nextCursor }, 200);
  });
}

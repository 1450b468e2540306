import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getChannel } from "../../../db/whatsapp/channel-store.ts";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { AppError } from "../../http/problem.ts";
import { readRun } from "../../services.ts";
import { ChannelSchema, toChannel } from "./channel-schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/whatsapp/channels/{id}",
  tags: ["WhatsApp"],
  summary: "Get a WhatsApp channel",
  description:
    "A deleted channel, or another tenant's, is a 404. Credentials are never returned: `credentialsSet` names them.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The channel", content: { "application/json": { schema: ChannelSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetChannel(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [rows] = await readRun(c, [getChannel(c.get("auth").tenantId, id)]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "channel not found");
    return c.json(toChannel(row, { publicBaseUrl: c.get("config").PUBLIC_BASE_URL, requestUrl: c.req.url }), 200);
  });
}

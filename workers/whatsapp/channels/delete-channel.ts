import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { softDeleteChannel } from "../../../db/whatsapp/channel-store.ts";
import type { HonoEnv } from "../../context.ts";
import { publish } from "../../events/publish.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { AppError } from "../../http/problem.ts";
import { requireRole } from "../../middleware/require-role.ts";
import { actorOf, writeRun } from "../../services.ts";
import { forgetWebhookChannel } from "../channel-lookup.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/whatsapp/channels/{id}",
  tags: ["WhatsApp"],
  summary: "Disconnect a WhatsApp channel (admin)",
  description:
    "Soft delete: conversations keep referring to the channel, its webhook stops being accepted (within 30 s on every edge location) and its number can be connected again.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin")] as const,
  request: { params: IdParamSchema },
  responses: {
    204: { description: "Disconnected" },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerDeleteChannel(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const [events] = await writeRun(c, { resourcePath: `/v1/whatsapp/channels/${id}`, status: 204 }, [
      softDeleteChannel(actorOf(c), id),
    ]);
    // No event: no live channel of this tenant with this id (absent, deleted, or another tenant's).
    if (events.length === 0) throw new AppError("NOT_FOUND", "channel not found");
    forgetWebhookChannel(id);
    publish(c, events);
    return c.body(null, 204);
  });
}

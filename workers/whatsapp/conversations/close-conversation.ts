import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { ConversationSchema, objectCall, toConversationFromSummary } from "./conversation-schema.ts";
import { resolveConversation } from "./resolve-conversation.ts";

const route = createRoute({
  method: "post",
  path: "/v1/whatsapp/conversations/{id}/close",
  tags: ["WhatsApp"],
  summary: "Close a conversation (a new message from the customer reopens it)",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The updated conversation", content: { "application/json": { schema: ConversationSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerCloseConversation(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { conversation, stub } = await resolveConversation(c, c.req.valid("param").id);
    const summary = await objectCall(() => stub.setStatus("closed"));
    return c.json(toConversationFromSummary(summary, conversation), 200);
  });
}

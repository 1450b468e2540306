import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { ConversationSchema, objectCall, toConversationFromSummary } from "./conversation-schema.ts";
import { resolveConversation } from "./resolve-conversation.ts";

const route = createRoute({
  method: "post",
  path: "/v1/whatsapp/conversations/{id}/read",
  tags: ["WhatsApp"],
  summary: "Mark a conversation read (everything received until now)",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The updated conversation", content: { "application/json": { schema: ConversationSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerMarkConversationRead(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { conversation, stub } = await resolveConversation(c, c.req.valid("param").id);
    const summary = await objectCall(() => stub.markRead({ at: Date.now(), userId: c.get("auth").userId }));
    return c.json(toConversationFromSummary(summary, conversation), 200);
  });
}

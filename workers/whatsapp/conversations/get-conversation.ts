import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { AppError } from "../../http/problem.ts";
import { ConversationSchema, objectCall, toConversationFromSummary } from "./conversation-schema.ts";
import { resolveConversation } from "./resolve-conversation.ts";

const route = createRoute({
  method: "get",
  path: "/v1/whatsapp/conversations/{id}",
  tags: ["WhatsApp"],
  summary: "Get a WhatsApp conversation",
  description:
    "The conversation's live figures (from its Durable Object) with its contact, lead and preview (from the mirror).",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The conversation", content: { "application/json": { schema: ConversationSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetConversation(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { conversation, stub } = await resolveConversation(c, c.req.valid("param").id);
    const summary = await objectCall(() => stub.summary());
    if (!summary) throw new AppError("NOT_FOUND", "conversation not found");
    return c.json(toConversationFromSummary(summary, conversation), 200);
  });
}

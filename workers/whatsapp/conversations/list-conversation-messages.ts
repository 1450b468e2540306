import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { MAX_PAGE_SIZE } from "../../../core/whatsapp/conversation-rules.ts";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { pageSchema } from "../../http/pagination.ts";
import { MessageSchema, objectCall, toMessage } from "./conversation-schema.ts";
import { resolveConversation } from "./resolve-conversation.ts";

const QuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(50)
    .openapi({ description: `Page size, 1–${MAX_PAGE_SIZE}` }),
  cursor: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: "Opaque cursor from the previous page's `nextCursor` (older messages)" }),
});

const route = createRoute({
  method: "get",
  path: "/v1/whatsapp/conversations/{id}/messages",
  tags: ["WhatsApp"],
  summary: "List a conversation's messages (newest first)",
  description: "From the conversation's Durable Object, the source of truth. Bodies older than 90 days are purged.",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema, query: QuerySchema },
  responses: {
    200: {
      description: "A page of messages",
      content: { "application/json": { schema: pageSchema(MessageSchema, "WhatsAppMessagePage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerListConversationMessages(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const { stub } = await resolveConversation(c, c.req.valid("param").id);
    const result = await objectCall(() =>
      stub.listMessages({ limit: query.limit, ...(query.cursor === undefined ? {} : { before: query.cursor }) }),
    );
    return c.json({ data: result.messages.map(toMessage), nextCursor: result.nextCursor }, 200);
  });
}

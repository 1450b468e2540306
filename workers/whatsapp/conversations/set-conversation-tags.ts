import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { MAX_TAG_CHARS, MAX_TAGS } from "../../../core/whatsapp/conversation-rules.ts";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { ConversationSchema, objectCall, toConversationFromSummary } from "./conversation-schema.ts";
import { resolveConversation } from "./resolve-conversation.ts";

// The shape only (strings, bounded); the rules (count, length, characters) are core's normalizeTags,
// applied by the object, whose refusal is a 422 naming body.tags.
const BodySchema = z
  .object({
    tags: z
      .array(z.string().max(1_000))
      .max(1_000)
      .openapi({
        example: ["cotización", "urgente"],
        description: `At most ${MAX_TAGS} tags of at most ${MAX_TAG_CHARS} characters; trimmed and deduplicated`,
      }),
  })
  .openapi("WhatsAppTags");

const route = createRoute({
  method: "put",
  path: "/v1/whatsapp/conversations/{id}/tags",
  tags: ["WhatsApp"],
  summary: "Replace a conversation's tags",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: BodySchema } } } },
  responses: {
    200: { description: "The updated conversation", content: { "application/json": { schema: ConversationSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 422),
  },
});

export function registerSetConversationTags(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { tags } = c.req.valid("json");
    const { conversation, stub } = await resolveConversation(c, c.req.valid("param").id);
    const summary = await objectCall(() => stub.setTags(tags));
    return c.json(toConversationFromSummary(summary, conversation), 200);
  });
}

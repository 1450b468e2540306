import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { foldStatus } from "../../../core/whatsapp/conversation-rules.ts";
import { MAX_ID_CHARS } from "../../../core/whatsapp/limits.ts";
import { findMessageConversation } from "../../../db/whatsapp/conversation-store.ts";
import { conversationStub } from "../../../durable-objects/conversation-client.ts";
import type { MessageLookup } from "../../../durable-objects/conversation.ts";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { AppError } from "../../http/problem.ts";
import { readRun } from "../../services.ts";
import { MessageDetailSchema, objectCall, toMessage, toStatusHistory } from "./conversation-schema.ts";

const ParamsSchema = z.object({
  providerMessageId: z
    .string()
    .min(1)
    .max(MAX_ID_CHARS)
    .openapi({
      param: { name: "providerMessageId", in: "path" },
      example: "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFDNBMDFGQUtFMDAwMDAwMDAwMQA=",
    }),
});

const route = createRoute({
  method: "get",
  path: "/v1/whatsapp/messages/{providerMessageId}",
  tags: ["WhatsApp"],
  summary: "Get a WhatsApp message by its provider id, with its delivery status history",
  description:
    "Found through the mirror (which conversation holds it), answered by the conversation's Durable Object. A message known only from delivery statuses so far is `pending` with no type or time.",
  security: [{ bearerAuth: [] }],
  request: { params: ParamsSchema },
  responses: {
    200: { description: "The message", content: { "application/json": { schema: MessageDetailSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export function registerGetMessage(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { providerMessageId } = c.req.valid("param");
    const [rows] = await readRun(c, [findMessageConversation(c.get("auth").tenantId, providerMessageId)]);
    const ref = rows[0];
    if (!ref?.channelId || !ref.waId) throw new AppError("NOT_FOUND", "message not found");
    const stub = conversationStub(c.env, ref.channelId, ref.waId);
    const found = await objectCall(async (): Promise<MessageLookup | null> => await stub.getMessage(providerMessageId));
    if (!found) throw new AppError("NOT_FOUND", "message not found");
    if ("message" in found) {
      const { statusHistory, ...message } = found.message;
      return c.json(
        {
          ...toMessage(message),
          conversationId: ref.conversationId,
          statusHistory: toStatusHistory(statusHistory),
          pending: false,
        },
        200,
      );
    }
    return c.json(
      {
        providerMessageId,
        direction: "outbound" as const,
        type: null,
        from: "business" as const,
        to: "customer" as const,
        text: null,
        media: null,
        status: foldStatus(found.pendingStatuses),
        errorCodes: found.errorCodes,
        timestamp: null,
        conversationId: ref.conversationId,
        statusHistory: toStatusHistory(found.pendingStatuses),
        pending: true,
      },
      200,
    );
  });
}

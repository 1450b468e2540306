import type { Context } from "hono";
import { isUuid } from "../../../core/events/cloudevents.ts";
import { getConversationRef } from "../../../db/whatsapp/conversation-store.ts";
import { conversationStub } from "../../../durable-objects/conversation-client.ts";
import type { HonoEnv } from "../../context.ts";
import { AppError } from "../../http/problem.ts";
import { readRun } from "../../services.ts";

/**
 * The tenant's conversation `id` (its Postgres mirror row, read under RLS) and the stub of its
 * ConversationDO. The row is what proves the conversation is this tenant's: the object itself takes
 * no tenant on its inbox calls. A conversation the mirror has not caught up with yet is a 404 for a
 * moment after its first message.
 */
export async function resolveConversation(c: Context<HonoEnv>, id: string) {
  if (!isUuid(id)) throw new AppError("NOT_FOUND", "conversation not found");
  const [rows] = await readRun(c, [getConversationRef(c.get("auth").tenantId, id)]);
  const row = rows[0];
  if (!row?.channelId || !row.waId) throw new AppError("NOT_FOUND", "conversation not found");
  return { conversation: row, stub: conversationStub(c.env, row.channelId, row.waId) };
}

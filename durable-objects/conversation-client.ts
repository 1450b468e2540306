// How the rest of the Worker reaches a ConversationDO: one object per channel and customer wa_id.
import type { Env } from "../platform/env.ts";
import type { ConversationDO } from "./conversation.ts";

export class ConversationsUnavailableError extends Error {
  override name = "ConversationsUnavailableError";
}

/** The object's name; the webhook groups a delivery by it (InboundMessage.from / StatusUpdate.recipientId). */
export function conversationName(channelId: string, waId: string): string {
  return `${channelId}:${waId}`;
}

export function conversationStub(env: Env, channelId: string, waId: string): DurableObjectStub<ConversationDO> {
  const ns = env.CONVERSATIONS;
  if (!ns) throw new ConversationsUnavailableError("the CONVERSATIONS Durable Object binding is not configured");
  return ns.get(ns.idFromName(conversationName(channelId, waId)));
}

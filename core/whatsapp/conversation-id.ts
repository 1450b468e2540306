// A conversation's stable id: a name-based UUID of "{channelId}:{waId}", the same name its
// ConversationDO has (durable-objects/conversation-client.ts). The object, its events, the Postgres
// mirror row and the API all use it, and anyone holding the channel and the customer can derive it.
import { uuidV5 } from "../events/name-based-id.ts";

export const CONVERSATION_ID_NAMESPACE = "0f6d8a52-3c1e-5b7a-9d24-8e5f1a6c3b90";

export function conversationUuid(channelId: string, waId: string): Promise<string> {
  return uuidV5(CONVERSATION_ID_NAMESPACE, `${channelId}:${waId}`);
}

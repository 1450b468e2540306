import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerCreateChannel } from "./channels/create-channel.ts";
import { registerDeleteChannel } from "./channels/delete-channel.ts";
import { registerGetChannel } from "./channels/get-channel.ts";
import { registerListChannels } from "./channels/list-channels.ts";
import { registerUpdateChannel } from "./channels/update-channel.ts";
import { registerAssignConversation } from "./conversations/assign-conversation.ts";
import { registerCloseConversation } from "./conversations/close-conversation.ts";
import { registerGetConversation } from "./conversations/get-conversation.ts";
import { registerGetMessage } from "./conversations/get-message.ts";
import { registerListConversationMessages } from "./conversations/list-conversation-messages.ts";
import { registerListConversations } from "./conversations/list-conversations.ts";
import { registerMarkConversationRead } from "./conversations/mark-conversation-read.ts";
import { registerReopenConversation } from "./conversations/reopen-conversation.ts";
import { registerSetConversationTags } from "./conversations/set-conversation-tags.ts";
import { registerSendMessage } from "./conversations/send-message.ts";
import { registerReceiveDelivery } from "./webhooks/receive-delivery.ts";
import { registerVerifySubscription } from "./webhooks/verify-subscription.ts";

export function registerWhatsAppRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListChannels(app);
  registerCreateChannel(app);
  registerGetChannel(app);
  registerUpdateChannel(app);
  registerDeleteChannel(app);
  registerListConversations(app);
  registerGetConversation(app);
  registerListConversationMessages(app);
  registerMarkConversationRead(app);
  registerAssignConversation(app);
  registerCloseConversation(app);
  registerReopenConversation(app);
  registerSetConversationTags(app);
  registerGetMessage(app);
  registerVerifySubscription(app);
  registerReceiveDelivery(app);
  registerSendMessage(app);
}

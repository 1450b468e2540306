import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerCreateChannel } from "./channels/create-channel.ts";
import { registerDeleteChannel } from "./channels/delete-channel.ts";
import { registerGetChannel } from "./channels/get-channel.ts";
import { registerListChannels } from "./channels/list-channels.ts";
import { registerUpdateChannel } from "./channels/update-channel.ts";
import { registerSendMessage } from "./conversations/send-message.ts";
import { registerReceiveDelivery } from "./webhooks/receive-delivery.ts";
import { registerVerifySubscription } from "./webhooks/verify-subscription.ts";

export function registerWhatsAppRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListChannels(app);
  registerCreateChannel(app);
  registerGetChannel(app);
  registerUpdateChannel(app);
  registerDeleteChannel(app);
  registerVerifySubscription(app);
  registerReceiveDelivery(app);
  registerSendMessage(app);
}

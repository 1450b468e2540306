import { createApp } from "./app.ts";
import type { Env } from "../platform/env.ts";
import { handleScheduled } from "./cron/scheduled.ts";
import { consumeEvents } from "../queues/events-consumer.ts";

export { TenantLimiterDO } from "../durable-objects/tenant-limiter.ts";
export { ConversationDO } from "../durable-objects/conversation.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: consumeEvents,
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;

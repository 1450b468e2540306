import { createApp } from "./app.ts";
import type { Env } from "../platform/env.ts";
import { handleScheduled } from "./cron/scheduled.ts";
import { consumeEvents } from "../queues/events-consumer.ts";
import { consumeStamping } from "../queues/stamping-consumer.ts";

export { TenantLimiterDO } from "../durable-objects/tenant-limiter.ts";
export { ConversationDO } from "../durable-objects/conversation.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  // One handler for every queue the Worker consumes (wrangler.jsonc), told apart by name.
  queue: (batch, env, ctx) =>
    batch.queue === "crm-stamping" ? consumeStamping(batch, env, ctx) : consumeEvents(batch, env, ctx),
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;

import type { Context } from "hono";
import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { publishAfterCommit } from "../../platform/outbox-relay.ts";
import type { HonoEnv } from "../context.ts";

/** After a request's batch committed: its events go to the queue in `waitUntil`, off the response path. */
export function publish(c: Context<HonoEnv>, events: CloudEvent[]): void {
  publishAfterCommit(c.env, c.get("config"), c.get("logger"), (p) => c.executionCtx.waitUntil(p), events);
}

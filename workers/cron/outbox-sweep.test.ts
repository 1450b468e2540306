import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildEvent } from "../../core/events/cloudevents.ts";
import { testEnv } from "../../test/support/env.ts";
import { createTenant, ownerSql } from "../../test/support/harness.ts";
import { handleScheduled } from "./scheduled.ts";

describe("outbox sweep (cron every minute)", () => {
  it("re-sends events undelivered after a minute, across tenants, and leaves fresh ones alone", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const stale = [a, b].map((t) => buildEvent({ type: "Contact.Created", tenantId: t.id, context: "contacts", subject: crypto.randomUUID(), data: {} }));
    const fresh = buildEvent({ type: "Contact.Created", tenantId: a.id, context: "contacts", subject: crypto.randomUUID(), data: {} });
    for (const [event, age] of [[stale[0], "2 minutes"], [stale[1], "5 minutes"], [fresh, "0 seconds"]] as const) {
      if (!event) continue;
      await ownerSql.transaction([
        ownerSql`select set_config('app.tenant_id', ${event.tenantid}, true)`,
        ownerSql`insert into outbox (id, tenant_id, type, event, created_at) values (${event.id}, ${event.tenantid}, ${event.type}, ${JSON.stringify(event)}::jsonb, now() - ${age}::interval)`,
      ]);
    }
    const ctx = createExecutionContext();
    await handleScheduled(createScheduledController({ cron: "* * * * *" }), testEnv, ctx);
    await waitOnExecutionContext(ctx);
    const rows = await ownerSql`select id, attempts from outbox where id in (${stale[0]?.id ?? ""}, ${stale[1]?.id ?? ""}, ${fresh.id})`;
    const attempts = Object.fromEntries(rows.map((r) => [r.id as string, r.attempts as number]));
    expect(attempts[stale[0]?.id ?? ""]).toBeGreaterThanOrEqual(1);
    expect(attempts[stale[1]?.id ?? ""]).toBeGreaterThanOrEqual(1);
    expect(attempts[fresh.id]).toBe(0);
  });
});

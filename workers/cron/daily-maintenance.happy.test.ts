import { describe, expect, it } from "vitest";
import { Logger } from "../../core/logging/logger.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { loadConfig } from "../env.ts";
import { createProposal, seedCustomer, seedLead, THREE_ITEMS } from "../../test/support/proposal-fixtures.ts";
import { runDailyMaintenance } from "./daily-maintenance.ts";

async function expiredEventCount(tenantId: string) {
  return ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenantId} and type = 'Proposal.Expired'`;
}

const logger = new Logger({ service: "crm-cron-test", environment: "test", level: "error" });

async function run(now: Date) {
  const pending: Promise<unknown>[] = [];
  const result = await runDailyMaintenance(loadConfig(testEnv), logger, (p) => pending.push(p), now);
  await Promise.allSettled(pending);
  return result;
}

describe("daily maintenance (called directly)", () => {
  it("expires sent proposals past valid_until once, leaves drafts, purges unpinned expired activities", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const customerId = await seedCustomer(tenant.id);
    const leadId = await seedLead(tenant.id);
    const sent = await createProposal(token, { customerId, validUntil: "2026-01-15", items: [THREE_ITEMS[1]] });
    expect((await api(`/v1/proposals/${sent.id}/send`, { method: "POST", token })).status).toBe(200);
    const draft = await createProposal(token, { customerId, validUntil: "2026-01-15", items: [THREE_ITEMS[1]] });
    const stillValid = await createProposal(token, { customerId, validUntil: "2026-01-16", items: [THREE_ITEMS[1]] });
    expect((await api(`/v1/proposals/${stillValid.id}/send`, { method: "POST", token })).status).toBe(200);

    const expiredActivity = crypto.randomUUID();
    const pinnedActivity = crypto.randomUUID();
    const freshActivity = crypto.randomUUID();
    await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${tenant.id}, true)`,
      ownerSql`insert into activities (id, tenant_id, type, lead_id, pinned, expires_at) values
        (${expiredActivity}, ${tenant.id}, 'note', ${leadId}, false, now() - interval '1 day'),
        (${pinnedActivity}, ${tenant.id}, 'note', ${leadId}, true, now() - interval '1 day'),
        (${freshActivity}, ${tenant.id}, 'note', ${leadId}, false, now() + interval '1 day')`,
    ]);

    // 2026-01-16 08:00 in Mexico City: the 15th is over there, the 16th is not.
    const now = new Date("2026-01-16T14:00:00Z");
    const first = await run(now);
    expect(first.proposalsExpired).toBeGreaterThanOrEqual(1);
    const statuses = await ownerSql`select id, status, expired_at is not null as has_expired_at from proposals where tenant_id = ${tenant.id}`;
    const byId = new Map(statuses.map((r) => [r.id as string, r]));
    expect(byId.get(sent.id)).toMatchObject({ status: "expired", has_expired_at: true });
    expect(byId.get(draft.id)).toMatchObject({ status: "draft", has_expired_at: false });
    expect(byId.get(stillValid.id)).toMatchObject({ status: "sent" });

    const left = await ownerSql`select id from activities where tenant_id = ${tenant.id} order by id`;
    expect(left.map((r) => r.id).sort()).toEqual([pinnedActivity, freshActivity].sort());

    // A second run changes nothing for this tenant.
    const before = await ownerSql`select id, status, version, updated_at from proposals where tenant_id = ${tenant.id} order by id`;
    const eventsBefore = await expiredEventCount(tenant.id);
    await run(now);
    expect(await ownerSql`select id, status, version, updated_at from proposals where tenant_id = ${tenant.id} order by id`).toEqual(before);
    expect(await expiredEventCount(tenant.id)).toEqual(eventsBefore);
    expect(await ownerSql`select count(*)::int as n from activities where tenant_id = ${tenant.id}`).toEqual([{ n: 2 }]);
  });

  it("writes one Proposal.Expired event with a correct envelope per expired proposal", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const sent = await createProposal(token, { customerId: await seedCustomer(tenant.id), validUntil: "2026-01-15", items: [THREE_ITEMS[1]] });
    expect((await api(`/v1/proposals/${sent.id}/send`, { method: "POST", token })).status).toBe(200);
    const result = await run(new Date("2026-01-16T14:00:00Z"));
    const [row] = await ownerSql`select status from proposals where id = ${sent.id}`;
    expect(row).toEqual({ status: "expired" });
    const events = await ownerSql`select event from outbox where tenant_id = ${tenant.id} and type = 'Proposal.Expired'`;
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toMatchObject({ specversion: "1.0", type: "Proposal.Expired", source: `/tenants/${tenant.id}/proposals`, subject: sent.id, tenantid: tenant.id, data: { id: sent.id, status: "expired" } });
    expect(result.events.some((e) => e.subject === sent.id)).toBe(true);
  });
});

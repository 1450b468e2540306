import { describe, expect, it } from "vitest";
import { Logger } from "../../core/logging/logger.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { waitForDelivery } from "../../test/support/outbox.ts";
import { loadConfig } from "../../platform/env.ts";
import { createProposal, seedCustomer, seedLead, THREE_ITEMS } from "../../test/support/proposal-fixtures.ts";
import { runDailyMaintenance } from "./daily-maintenance.ts";

async function expiredEventCount(tenantId: string) {
  return ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenantId} and type = 'Proposal.Expired'`;
}

const logger = new Logger({ service: "crm-cron-test", environment: "test", level: "error" });

/**
 * The daily job for this test's tenant only (other suites' tenants are theirs), with its events
 * sent to the real queue; returns once the consumer has delivered them (it writes activities).
 */
async function run(now: Date, tenantId: string) {
  const pending: Promise<unknown>[] = [];
  const result = await runDailyMaintenance(testEnv, loadConfig(testEnv), logger, (p) => pending.push(p), now, {
    tenantIds: [tenantId],
  });
  await Promise.allSettled(pending);
  await waitForDelivery({ tenantId });
  return result;
}

const timeline = (tenantId: string) =>
  ownerSql`select subject, metadata->>'status' as status from activities where tenant_id = ${tenantId} and type = 'status_change' order by subject, status`;

describe("daily maintenance (called directly)", () => {
  it(
    "expires sent proposals past valid_until once, leaves drafts, purges unpinned expired activities",
    { timeout: 120_000 },
    async () => {
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

      // The sends' events land on the timeline in the background: let them, before the purge runs.
      await waitForDelivery({ tenantId: tenant.id });

      // 2026-01-16 08:00 in Mexico City: the 15th is over there, the 16th is not.
      const now = new Date("2026-01-16T14:00:00Z");
      const first = await run(now, tenant.id);
      expect(first).toMatchObject({ tenants: 1, proposalsExpired: 1, activitiesPurged: 1, events: 1, eventsSent: 1 });
      const statuses =
        await ownerSql`select id, status, expired_at is not null as has_expired_at from proposals where tenant_id = ${tenant.id}`;
      const byId = new Map(statuses.map((r) => [r.id as string, r]));
      expect(byId.get(sent.id)).toMatchObject({ status: "expired", has_expired_at: true });
      expect(byId.get(draft.id)).toMatchObject({ status: "draft", has_expired_at: false });
      expect(byId.get(stillValid.id)).toMatchObject({ status: "sent" });

      const notes =
        await ownerSql`select id from activities where tenant_id = ${tenant.id} and type = 'note' order by id`;
      expect(notes.map((r) => r.id).sort()).toEqual([pinnedActivity, freshActivity].sort());
      // The consumer's entries: the two sends (before the run) and the expiry (after it).
      const entries = [
        { subject: "Propuesta enviada", status: "sent" },
        { subject: "Propuesta enviada", status: "sent" },
        { subject: "Propuesta vencida", status: "expired" },
      ];
      expect(await timeline(tenant.id)).toEqual(entries);

      // A second run changes nothing for this tenant.
      const before =
        await ownerSql`select id, status, version, updated_at from proposals where tenant_id = ${tenant.id} order by id`;
      const eventsBefore = await expiredEventCount(tenant.id);
      expect(await run(now, tenant.id)).toMatchObject({ proposalsExpired: 0, activitiesPurged: 0, events: 0 });
      expect(
        await ownerSql`select id, status, version, updated_at from proposals where tenant_id = ${tenant.id} order by id`,
      ).toEqual(before);
      expect(await expiredEventCount(tenant.id)).toEqual(eventsBefore);
      expect(
        await ownerSql`select count(*)::int as n from activities where tenant_id = ${tenant.id} and type = 'note'`,
      ).toEqual([{ n: 2 }]);
      expect(await timeline(tenant.id)).toEqual(entries);
    },
  );

  it(
    "writes one Proposal.Expired event with a correct envelope per expired proposal",
    { timeout: 60_000 },
    async () => {
      const tenant = await createTenant();
      const token = await tokenFor(tenant);
      const sent = await createProposal(token, {
        customerId: await seedCustomer(tenant.id),
        validUntil: "2026-01-15",
        items: [THREE_ITEMS[1]],
      });
      expect((await api(`/v1/proposals/${sent.id}/send`, { method: "POST", token })).status).toBe(200);
      const result = await run(new Date("2026-01-16T14:00:00Z"), tenant.id);
      const [row] = await ownerSql`select status from proposals where id = ${sent.id}`;
      expect(row).toEqual({ status: "expired" });
      const events =
        await ownerSql`select event, delivered_at is not null as delivered from outbox where tenant_id = ${tenant.id} and type = 'Proposal.Expired'`;
      expect(events).toHaveLength(1);
      expect(events[0]?.event).toMatchObject({
        specversion: "1.0",
        type: "Proposal.Expired",
        source: `/tenants/${tenant.id}/proposals`,
        subject: sent.id,
        tenantid: tenant.id,
        data: { id: sent.id, status: "expired" },
      });
      expect(events[0]?.delivered).toBe(true);
      expect(result).toMatchObject({ events: 1, eventsSent: 1 });
    },
  );
});

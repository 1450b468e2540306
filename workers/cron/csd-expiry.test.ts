import { describe, expect, it } from "vitest";
import { Logger } from "../../core/logging/logger.ts";
import { loadConfig } from "../../platform/env.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, ownerSql } from "../../test/support/harness.ts";
import { stampingTenant } from "../../test/support/invoicing-fixtures.ts";
import { waitForDelivery } from "../../test/support/outbox.ts";
import { runDailyMaintenance } from "./daily-maintenance.ts";

// CSD expiry warnings (issue 13): the daily job warns 30, 7 and 1 days before the account's CSD
// ends — once per window, however many times it runs.

const lines: string[] = [];
const logger = new Logger({
  service: "crm-cron-test",
  environment: "test",
  level: "warn",
  sink: (l) => lines.push(l),
});

async function runAt(now: Date, tenantId: string) {
  const pending: Promise<unknown>[] = [];
  const result = await runDailyMaintenance(testEnv, loadConfig(testEnv), logger, (p) => pending.push(p), now, {
    tenantIds: [tenantId],
  });
  await Promise.allSettled(pending);
  return result;
}

async function warnings(tenantId: string) {
  const [, rows] = await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`select event->'data' as data from outbox where tenant_id = ${tenantId} and type = 'CFDI.CsdExpiring' order by created_at`,
  ]);
  return (rows as { data: { warningDays: number; daysLeft: number; noCertificado: string } }[]).map((r) => r.data);
}

describe("CSD expiry warnings (daily job)", () => {
  it("one CFDI.CsdExpiring per window (30, 7, 1 days) with a log line; repeated runs and an expired CSD add none", async () => {
    const t = await stampingTenant();
    const csd = (await (await api("/v1/fiscal-profile/csd", { token: t.admin })).json()) as {
      noCertificado: string;
      validTo: string;
    };
    const end = new Date(csd.validTo).getTime();
    const day = 86_400_000;

    expect((await runAt(new Date(end - 45 * day), t.tenant.id)).csdWarnings).toBe(0);
    expect((await runAt(new Date(end - 20 * day), t.tenant.id)).csdWarnings).toBe(1);
    expect((await runAt(new Date(end - 19 * day), t.tenant.id)).csdWarnings).toBe(0);
    expect((await runAt(new Date(end - 5 * day), t.tenant.id)).csdWarnings).toBe(1);
    expect((await runAt(new Date(end - 5 * day), t.tenant.id)).csdWarnings).toBe(0);
    expect((await runAt(new Date(end - 10 * 3_600_000), t.tenant.id)).csdWarnings).toBe(1);
    expect((await runAt(new Date(end + day), t.tenant.id)).csdWarnings).toBe(0);

    expect(await warnings(t.tenant.id)).toEqual([
      { noCertificado: csd.noCertificado, validTo: expect.any(String), warningDays: 30, daysLeft: 20 },
      { noCertificado: csd.noCertificado, validTo: expect.any(String), warningDays: 7, daysLeft: 5 },
      { noCertificado: csd.noCertificado, validTo: expect.any(String), warningDays: 1, daysLeft: 0 },
    ]);
    const logged = lines
      .map((l) => JSON.parse(l) as { tenantId?: string; message: string; data?: { warningDays: number } })
      .filter((l) => l.tenantId === t.tenant.id && l.message.startsWith("CSD expiring"));
    expect(logged.map((l) => l.data?.warningDays)).toEqual([30, 7, 1]);
    await waitForDelivery({ tenantId: t.tenant.id });
  });
});

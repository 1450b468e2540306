import { describe, expect, it } from "vitest";
import { Logger } from "../../core/logging/logger.ts";
import type { MsiReminderKind } from "../../core/msi/msi-status.ts";
import { addDays, currentReminderKind } from "../../core/msi/reminders.ts";
import { toCents } from "../../core/msi/schedule.ts";
import { loadConfig } from "../../platform/env.ts";
import type { RecordedEmail } from "../../scripts/local/email-provider.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { seedCustomer } from "../../test/support/proposal-fixtures.ts";
import type { PlanBody } from "../msi/msi-schema.ts";
import { runDailyMaintenance } from "./daily-maintenance.ts";
import { runMsiReminders } from "./msi-reminders.ts";

// 400 days of 50 MSI plans in four Mexican zones (a leap year, month ends), driven day by day with
// controlled time: the daily job at 12:00 UTC (before 06:00 local everywhere), payments at 16:00 UTC,
// the reminders run at 17:00 UTC (08:00 or later everywhere). Plans: paid early, paid on the day
// after the due date, paid late (3 or 10 days), never paid, one installment waived. Checked against
// a model of what each installment should get: every reminder kind at most once (counted at the
// email provider), exactly the kinds it should, every overdue transition once, totals reconciled.

const logger = new Logger({ service: "crm-msi-simulation", environment: "test", level: "error" });
const emailUrl = (testEnv as unknown as { TEST_EMAIL_PROVIDER_URL?: string }).TEST_EMAIL_PROVIDER_URL;
const ZONES = ["America/Mexico_City", "America/Tijuana", "America/Cancun", "America/Hermosillo"] as const;
const COUNTS = [3, 6, 9, 12, 18] as const;
const START_DATES = ["2028-01-31", "2028-01-29", "2028-02-29", "2028-01-30", "2028-02-28", "2028-01-15", "2028-02-01"];
const FIRST_DAY = "2028-01-01";
const DAYS = 400;

type Pattern = "early" | "next_day" | "late" | "unpaid" | "mixed";
const PATTERNS: Pattern[] = ["early", "next_day", "late", "unpaid", "mixed"];

interface SimPlan {
  tenantId: string;
  token: string;
  email: string;
  plan: PlanBody;
  pattern: Pattern;
}

interface Action {
  day: string;
  plan: SimPlan;
  n: number;
  kind: "pay" | "waive";
}

/** What happens to installment `n` of a plan: paid on a day (offset from its due date), waived, or nothing. */
function fate(pattern: Pattern, n: number, count: number): { pay?: number; waive?: number } {
  switch (pattern) {
    case "early":
      return { pay: -1 };
    case "next_day":
      return { pay: 1 };
    case "late":
      return { pay: n % 2 === 0 ? 10 : 3 };
    case "unpaid":
      return {};
    case "mixed":
      // The last one unpaid (a payment covers the oldest open installment first, so never one in the middle).
      return n === 2 ? { waive: -5 } : n === count ? {} : { pay: 0 };
  }
}

async function inDays<T>(days: string[], fn: (day: string) => Promise<T>): Promise<void> {
  for (const d of days) await fn(d);
}

describe("MSI reminders: 400 days of 50 plans in four zones", () => {
  it("sends every reminder it should exactly once, moves each installment to overdue once, and reconciles totals", async () => {
    const config = loadConfig(testEnv);
    const pending: Promise<unknown>[] = [];
    const waitUntil = (p: Promise<unknown>) => pending.push(p);

    const tenants = await Promise.all(
      ZONES.map(async (zone) => {
        const tenant = await createTenant({ plan: "pro" });
        await ownerSql.transaction([
          ownerSql`select set_config('app.tenant_id', ${tenant.id}, true)`,
          ownerSql`update tenants set timezone = ${zone} where id = ${tenant.id}`,
        ]);
        return { tenant, zone, token: await tokenFor(tenant, { role: "manager" }) };
      }),
    );
    const tenantIds = tenants.map((t) => t.tenant.id);

    const plans: SimPlan[] = [];
    for (let i = 0; i < 50; i += 1) {
      const t = tenants[i % tenants.length]!;
      const customerId = await seedCustomer(t.tenant.id, `CLIENTE SIMULADO ${i}`);
      const email = `sim-${i}-${customerId.slice(0, 8)}@cliente.test`;
      await ownerSql.transaction([
        ownerSql`select set_config('app.tenant_id', ${t.tenant.id}, true)`,
        ownerSql`update customers set email = ${email} where id = ${customerId}`,
      ]);
      const res = await api("/v1/msi-plans", {
        method: "POST",
        token: t.token,
        json: {
          customerId,
          total: `${1000 + i * 137}.${String(i % 100).padStart(2, "0")}`,
          count: COUNTS[i % COUNTS.length],
          startDate: START_DATES[i % START_DATES.length],
        },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      plans.push({
        tenantId: t.tenant.id,
        token: t.token,
        email,
        plan: (await res.json()) as PlanBody,
        pattern: PATTERNS[i % PATTERNS.length]!,
      });
    }

    const lastDay = addDays(FIRST_DAY, DAYS - 1);
    const actions = new Map<string, Action[]>();
    for (const p of plans)
      for (const i of p.plan.installments) {
        const f = fate(p.pattern, i.number, p.plan.count);
        const offset = f.pay ?? f.waive;
        if (offset === undefined) continue;
        const day = addDays(i.dueDate, offset);
        if (day > lastDay) continue;
        actions.set(day, [
          ...(actions.get(day) ?? []),
          { day, plan: p, n: i.number, kind: f.pay !== undefined ? "pay" : "waive" },
        ]);
      }

    const days = Array.from({ length: DAYS }, (_, k) => addDays(FIRST_DAY, k));
    const started = Date.now();
    await inDays(days, async (day) => {
      await runDailyMaintenance(testEnv, config, logger, waitUntil, new Date(`${day}T12:00:00Z`), { tenantIds });
      for (const a of actions.get(day) ?? []) {
        const res =
          a.kind === "pay"
            ? await api(`/v1/msi-plans/${a.plan.plan.id}/installments/${a.n}/pay`, {
                method: "POST",
                token: a.plan.token,
                json: {
                  amount: a.plan.plan.installments[a.n - 1]!.amount,
                  formaPago: "03",
                  paidAt: `${day}T16:00:00Z`,
                },
              })
            : await api(`/v1/msi-plans/${a.plan.plan.id}/installments/${a.n}/waive`, {
                method: "POST",
                token: a.plan.token,
              });
        expect(res.status, `${a.kind} ${a.n} on ${day}: ${await res.clone().text()}`).toBe(200);
        await res.arrayBuffer();
      }
      // One run per tenant, side by side (as the hourly cron would reach them), then a repeat.
      await Promise.all(
        tenantIds.map((id) =>
          runMsiReminders(testEnv, config, logger, waitUntil, new Date(`${day}T17:00:00Z`), { tenantIds: [id] }),
        ),
      );
      if (day.endsWith("-01") || day.endsWith("-15"))
        await runMsiReminders(testEnv, config, logger, waitUntil, new Date(`${day}T23:00:00Z`), { tenantIds });
    });
    await Promise.allSettled(pending);
    const elapsed = Date.now() - started;

    // The model: an installment is open on `day` at the reminders run unless paid or waived that day or before.
    const expected = new Map<string, Set<MsiReminderKind>>();
    const expectedOverdue = new Set<string>();
    for (const p of plans)
      for (const i of p.plan.installments) {
        const f = fate(p.pattern, i.number, p.plan.count);
        const closedOn =
          f.pay !== undefined ? addDays(i.dueDate, f.pay) : f.waive !== undefined ? addDays(i.dueDate, f.waive) : null;
        const kinds = new Set<MsiReminderKind>();
        for (const day of days) {
          if (closedOn !== null && closedOn <= day) break;
          const kind = currentReminderKind(i.dueDate, day, 3);
          if (kind) kinds.add(kind);
        }
        expected.set(`${p.plan.id}/${i.number}`, kinds);
        // Overdue at the daily job (12:00 UTC) of the day after the due date, unless closed before it.
        const dayAfter = addDays(i.dueDate, 1);
        if (dayAfter <= lastDay && (closedOn === null || closedOn >= dayAfter))
          expectedOverdue.add(`${p.plan.id}/${i.number}`);
      }

    const sentRows: { plan_id: string; number: number; kind: MsiReminderKind; status: string; id: string }[] = [];
    const overdueRows: { plan_id: string; number: number }[] = [];
    const totals: {
      id: string;
      total: string;
      paid: string;
      outstanding: string;
      waived: string;
      allocated: string;
    }[] = [];
    for (const tenantId of tenantIds) {
      const [, r, o, t] = await ownerSql.transaction([
        ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
        ownerSql`select i.plan_id, i.number, r.kind, r.status, r.id from msi_reminders r join msi_installments i on i.id = r.installment_id where r.tenant_id = ${tenantId}`,
        ownerSql`select event->'data'->>'planId' as plan_id, (event->'data'->>'number')::int as number from outbox where tenant_id = ${tenantId} and type = 'MSI.InstallmentOverdue'`,
        ownerSql`select p.id, p.total_amount::text as total,
            (select coalesce(sum(amount), 0) from msi_payments m where m.plan_id = p.id)::numeric(14,2)::text as paid,
            (select coalesce(sum(amount - paid_amount), 0) from msi_installments i where i.plan_id = p.id and i.status in ('pending', 'overdue'))::numeric(14,2)::text as outstanding,
            (select coalesce(sum(amount - paid_amount), 0) from msi_installments i where i.plan_id = p.id and i.status = 'waived')::numeric(14,2)::text as waived,
            (select coalesce(sum(paid_amount), 0) from msi_installments i where i.plan_id = p.id)::numeric(14,2)::text as allocated
          from msi_payment_plans p where p.tenant_id = ${tenantId}`,
      ]);
      sentRows.push(...(r as typeof sentRows));
      overdueRows.push(...(o as typeof overdueRows));
      totals.push(...(t as typeof totals));
    }

    // Every reminder row sent, exactly the kinds the model says, per installment.
    expect(sentRows.filter((r) => r.status !== "sent")).toEqual([]);
    const actual = new Map<string, MsiReminderKind[]>();
    for (const r of sentRows)
      actual.set(`${r.plan_id}/${r.number}`, [...(actual.get(`${r.plan_id}/${r.number}`) ?? []), r.kind]);
    const order: MsiReminderKind[] = ["before", "due", "overdue_1", "overdue_7"];
    const sortKinds = (k: Iterable<MsiReminderKind>) => [...k].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    const mismatches = [...expected].filter(
      ([key, kinds]) => sortKinds(kinds).join() !== sortKinds(actual.get(key) ?? []).join(),
    );
    expect(mismatches.map(([key, kinds]) => [key, sortKinds(kinds), sortKinds(actual.get(key) ?? [])])).toEqual([]);
    const expectedCount = [...expected.values()].reduce((n, k) => n + k.size, 0);
    expect(sentRows.length).toBe(expectedCount);
    for (const kind of order)
      expect(
        sentRows.some((r) => r.kind === kind),
        kind,
      ).toBe(true);

    // At the provider: one accepted email per reminder, never two.
    const mails = (
      await Promise.all(
        plans.map(
          async (p) =>
            (await (await fetch(`${emailUrl}/__requests?to=${encodeURIComponent(p.email)}`)).json()) as RecordedEmail[],
        ),
      )
    ).flat();
    const accepted = mails.filter((m) => m.status === 200);
    expect(accepted.length).toBe(expectedCount);
    expect(new Set(accepted.map((m) => m.idempotencyKey)).size).toBe(expectedCount);

    // Every overdue transition once.
    const overdueKeys = overdueRows.map((r) => `${r.plan_id}/${r.number}`);
    expect(new Set(overdueKeys).size).toBe(overdueKeys.length);
    expect(new Set(overdueKeys)).toEqual(expectedOverdue);

    // paid + outstanding + waived = total, and payments = what the installments say was paid.
    expect(totals).toHaveLength(50);
    for (const t of totals) {
      expect(toCents(t.paid)! + toCents(t.outstanding)! + toCents(t.waived)!, t.id).toBe(toCents(t.total));
      expect(t.allocated, t.id).toBe(t.paid);
    }
    console.info(
      `simulation: ${DAYS} days, ${plans.length} plans, ${expectedCount} reminders, ${expectedOverdue.size} overdue, ${elapsed} ms`,
    );
  }, 300_000);
});

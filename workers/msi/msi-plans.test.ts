import { describe, expect, it } from "vitest";
import { Logger } from "../../core/logging/logger.ts";
import { loadConfig } from "../../platform/env.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";
import { seedCustomer } from "../../test/support/proposal-fixtures.ts";
import { runDailyMaintenance } from "../cron/daily-maintenance.ts";
import type { PlanBody } from "./msi-schema.ts";

// MSI plans (issue 14): the schedule, payments (partial, oldest rest first, idempotent), waivers,
// cancellation, and the daily overdue/default job in the tenant's zone.

async function setUp() {
  const tenant = await createTenant({ plan: "pro" });
  const user = await tokenFor(tenant, { role: "user" });
  const manager = await tokenFor(tenant, { role: "manager" });
  const customerId = await seedCustomer(tenant.id, "CLINICA SAN RAFAEL");
  return { tenant, user, manager, customerId };
}

async function createPlan(token: string, json: Record<string, unknown>): Promise<PlanBody> {
  const res = await api("/v1/msi-plans", { method: "POST", token, json });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as PlanBody;
}

function pay(token: string, id: string, n: number, json: Record<string, unknown>, key?: string) {
  return api(`/v1/msi-plans/${id}/installments/${n}/pay`, {
    method: "POST",
    token,
    json,
    ...(key ? { headers: { "idempotency-key": key } } : {}),
  });
}

async function outboxTypes(tenantId: string): Promise<string[]> {
  const [, rows] = await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`select type from outbox where tenant_id = ${tenantId} and type like 'MSI.%' order by created_at, type`,
  ]);
  return (rows as { type: string }[]).map((r) => r.type);
}

const logger = new Logger({ service: "crm-msi-test", environment: "test", level: "error" });

async function dailyAt(now: Date, tenantId: string) {
  const pending: Promise<unknown>[] = [];
  const result = await runDailyMaintenance(testEnv, loadConfig(testEnv), logger, (p) => pending.push(p), now, {
    tenantIds: [tenantId],
  });
  await Promise.allSettled(pending);
  return result;
}

describe("POST /v1/msi-plans", () => {
  it("splits to the cent (remainder first), clamps month ends, emits MSI.PaymentScheduled; GET and list read it back", async () => {
    const t = await setUp();
    const plan = await createPlan(t.user, {
      customerId: t.customerId,
      total: "1000",
      count: 3,
      startDate: "2028-01-31",
    });
    expect(plan).toMatchObject({ status: "active", total: "1000.00", count: 3, paid: "0.00", outstanding: "1000.00" });
    expect(plan.installments.map((i) => [i.number, i.dueDate, i.amount, i.status])).toEqual([
      [1, "2028-01-31", "333.34", "pending"],
      [2, "2028-02-29", "333.33", "pending"],
      [3, "2028-03-31", "333.33", "pending"],
    ]);
    const read = await api(`/v1/msi-plans/${plan.id}`, { token: t.user });
    expect(await read.json()).toMatchObject({ id: plan.id, payments: [], installments: plan.installments });
    const list = (await (await api(`/v1/msi-plans?customerId=${t.customerId}`, { token: t.user })).json()) as {
      data: PlanBody[];
    };
    expect(list.data.map((p) => p.id)).toEqual([plan.id]);
    expect(await outboxTypes(t.tenant.id)).toEqual(["MSI.PaymentScheduled"]);
  });

  it("refuses what cannot be a plan, writing nothing", async () => {
    const t = await setUp();
    const other = await setUp();
    for (const [json, status] of [
      [{ customerId: t.customerId, total: "1000.00", count: 24, startDate: "2027-01-01" }, 400],
      [{ customerId: t.customerId, total: "0", count: 3, startDate: "2027-01-01" }, 400],
      [{ customerId: t.customerId, total: "10.001", count: 3, startDate: "2027-01-01" }, 400],
      [{ customerId: t.customerId, total: "-5", count: 3, startDate: "2027-01-01" }, 400],
      [{ customerId: t.customerId, total: "100.00", count: 3, startDate: "2027-02-30" }, 400],
      [{ customerId: t.customerId, count: 3, startDate: "2027-01-01" }, 422],
      [{ customerId: other.customerId, total: "100.00", count: 3, startDate: "2027-01-01" }, 422],
      [{ customerId: t.customerId, total: "100.00", count: 3, startDate: "2027-01-01", currency: "USD" }, 422],
      [
        {
          customerId: t.customerId,
          total: "100.00",
          count: 3,
          startDate: "2027-01-01",
          invoiceId: crypto.randomUUID(),
        },
        422,
      ],
    ] as const) {
      const res = await api("/v1/msi-plans", { method: "POST", token: t.user, json });
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      await res.arrayBuffer();
    }
    const [, rows] = await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${t.tenant.id}, true)`,
      ownerSql`select count(*)::int as n from msi_payment_plans where tenant_id = ${t.tenant.id}`,
    ]);
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe("payments", () => {
  it("partial payments cover the oldest rest first; the plan completes when all is paid; a retried payment is recorded once", async () => {
    const t = await setUp();
    const plan = await createPlan(t.user, {
      customerId: t.customerId,
      total: "3000.00",
      count: 3,
      startDate: "2027-01-15",
    });

    const partial = await pay(t.user, plan.id, 1, { amount: "400", formaPago: "03", reference: "SPEI 123" });
    expect(partial.status, await partial.clone().text()).toBe(200);
    const afterPartial = (await partial.json()) as PlanBody;
    expect(afterPartial.installments[0]).toMatchObject({
      status: "pending",
      paidAmount: "400.00",
      outstanding: "600.00",
    });

    // Paying installment 2 covers installment 1's rest first.
    const key = crypto.randomUUID();
    const second = await pay(t.user, plan.id, 2, { amount: "1100.00", formaPago: "04" }, key);
    expect(second.status).toBe(200);
    const afterSecond = (await second.json()) as PlanBody;
    expect(afterSecond.installments.map((i) => [i.status, i.paidAmount])).toEqual([
      ["paid", "1000.00"],
      ["pending", "500.00"],
      ["pending", "0.00"],
    ]);
    const replay = await pay(t.user, plan.id, 2, { amount: "1100.00", formaPago: "04" }, key);
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as PlanBody).paid).toBe("1500.00");

    const tooMuch = await pay(t.user, plan.id, 2, { amount: "500.01", formaPago: "03" });
    expect(tooMuch.status).toBe(422);
    expect(await problem(tooMuch)).toMatchObject({ maxAmount: "500.00" });

    const rest = await pay(t.user, plan.id, 3, { amount: "1500.00", formaPago: "01" });
    const done = (await rest.json()) as PlanBody;
    expect(done).toMatchObject({ status: "completed", paid: "3000.00", outstanding: "0.00" });
    expect(done.payments?.map((p) => [p.installmentNumber, p.amount])).toEqual([
      [1, "400.00"],
      [2, "1100.00"],
      [3, "1500.00"],
    ]);
    const closed = await pay(t.user, plan.id, 3, { amount: "1.00", formaPago: "01" });
    expect(closed.status).toBe(409);
    await closed.arrayBuffer();
    expect((await outboxTypes(t.tenant.id)).filter((e) => e !== "MSI.PaymentScheduled").sort()).toEqual(
      [
        "MSI.InstallmentPaid",
        "MSI.InstallmentPaid",
        "MSI.InstallmentPaid",
        "MSI.PaymentReceived",
        "MSI.PaymentReceived",
        "MSI.PaymentReceived",
        "MSI.PlanCompleted",
      ].sort(),
    );
  });

  it("twenty concurrent payments of one plan: never more than owed, the sum reconciles", async () => {
    const t = await setUp();
    const plan = await createPlan(t.user, {
      customerId: t.customerId,
      total: "1000.00",
      count: 6,
      startDate: "2027-01-15",
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => pay(t.user, plan.id, 6, { amount: "77.77", formaPago: "03" })),
    );
    const ok = results.filter((r) => r.status === 200).length;
    expect(results.every((r) => r.status === 200 || r.status === 422)).toBe(true);
    for (const r of results) await r.arrayBuffer();
    expect(ok).toBe(12); // 12 × 77.77 = 933.24 ≤ 1000 < 13 × 77.77
    const read = (await (await api(`/v1/msi-plans/${plan.id}`, { token: t.user })).json()) as PlanBody;
    expect(read.paid).toBe("933.24");
    expect(read.outstanding).toBe("66.76");
    expect(read.payments).toHaveLength(12);
  });

  it("bad payments are 4xx and write nothing", async () => {
    const t = await setUp();
    const plan = await createPlan(t.user, {
      customerId: t.customerId,
      total: "300.00",
      count: 3,
      startDate: "2027-01-15",
    });
    for (const [n, json, status] of [
      [1, { amount: "0", formaPago: "03" }, 400],
      [1, { amount: "10", formaPago: "99" }, 400],
      [1, { amount: "10", formaPago: "3" }, 400],
      [1, { amount: "1e3", formaPago: "03" }, 400],
      [1, { amount: "10", formaPago: "03", extra: true }, 400],
      [19, { amount: "10", formaPago: "03" }, 400],
      [9, { amount: "10", formaPago: "03" }, 404],
    ] as const) {
      const res = await pay(t.user, plan.id, n, json);
      expect(res.status, JSON.stringify([n, json])).toBe(status);
      await res.arrayBuffer();
    }
    expect((await pay(t.user, crypto.randomUUID(), 1, { amount: "1", formaPago: "03" })).status).toBe(404);
    const read = (await (await api(`/v1/msi-plans/${plan.id}`, { token: t.user })).json()) as PlanBody;
    expect(read.payments).toEqual([]);
  });
});

describe("waive and cancel (manager+)", () => {
  it("a waived installment is forgiven and can complete the plan; cancelling closes open installments", async () => {
    const t = await setUp();
    const plan = await createPlan(t.user, {
      customerId: t.customerId,
      total: "200.00",
      count: 3,
      startDate: "2027-01-15",
    });
    expect((await api(`/v1/msi-plans/${plan.id}/installments/1/waive`, { method: "POST", token: t.user })).status).toBe(
      403,
    );
    await pay(t.user, plan.id, 2, { amount: "133.34", formaPago: "03" });
    const waived = await api(`/v1/msi-plans/${plan.id}/installments/3/waive`, { method: "POST", token: t.manager });
    expect(waived.status, await waived.clone().text()).toBe(200);
    expect(((await waived.json()) as PlanBody).status).toBe("completed");
    const again = await api(`/v1/msi-plans/${plan.id}/installments/1/waive`, { method: "POST", token: t.manager });
    expect(again.status).toBe(409);
    await again.arrayBuffer();

    const second = await createPlan(t.user, {
      customerId: t.customerId,
      total: "90.00",
      count: 3,
      startDate: "2027-01-15",
    });
    await pay(t.user, second.id, 1, { amount: "30", formaPago: "03" });
    const cancelled = await api(`/v1/msi-plans/${second.id}/cancel`, { method: "POST", token: t.manager });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as PlanBody).installments.map((i) => i.status)).toEqual([
      "paid",
      "cancelled",
      "cancelled",
    ]);
    expect((await pay(t.user, second.id, 2, { amount: "1", formaPago: "03" })).status).toBe(409);
  });
});

describe("the daily job: overdue in the tenant's zone, defaulted after 3", () => {
  it("marks overdue once per installment, defaults at the third, and a payment that commits first wins", async () => {
    const t = await setUp();
    const plan = await createPlan(t.user, {
      customerId: t.customerId,
      total: "600.00",
      count: 6,
      startDate: "2027-01-31",
    });
    // 2027-02-01 05:30 UTC is still Jan 31 in Mexico City: nothing is overdue yet.
    expect((await dailyAt(new Date("2027-02-01T05:30:00Z"), t.tenant.id)).installmentsOverdue).toBe(0);
    expect((await dailyAt(new Date("2027-02-01T12:00:00Z"), t.tenant.id)).installmentsOverdue).toBe(1);
    expect((await dailyAt(new Date("2027-02-01T12:00:00Z"), t.tenant.id)).installmentsOverdue).toBe(0);
    // Installment 2 (Feb 28) is paid before it is late; 3 and 4 are not.
    await pay(t.user, plan.id, 2, { amount: "200.00", formaPago: "03" });
    const may = await dailyAt(new Date("2027-05-01T12:00:00Z"), t.tenant.id);
    expect(may).toMatchObject({ installmentsOverdue: 2, plansDefaulted: 0 });
    const read = (await (await api(`/v1/msi-plans/${plan.id}`, { token: t.user })).json()) as PlanBody;
    expect(read.installments.map((i) => i.status)).toEqual([
      "paid",
      "paid",
      "overdue",
      "overdue",
      "pending",
      "pending",
    ]);
    const june = await dailyAt(new Date("2027-06-01T12:00:00Z"), t.tenant.id);
    expect(june).toMatchObject({ installmentsOverdue: 1, plansDefaulted: 1 });
    const defaulted = (await (await api(`/v1/msi-plans/${plan.id}`, { token: t.user })).json()) as PlanBody;
    expect(defaulted).toMatchObject({ status: "defaulted", overdueCount: 3 });
    const overdueList = (await (await api("/v1/msi-plans?overdue=true", { token: t.user })).json()) as {
      data: PlanBody[];
    };
    expect(overdueList.data.map((p) => p.id)).toEqual([plan.id]);
    // A defaulted plan still takes payments and completes.
    const last = await pay(t.user, plan.id, 6, { amount: "400.00", formaPago: "03" });
    expect(((await last.json()) as PlanBody).status).toBe("completed");
    const types = await outboxTypes(t.tenant.id);
    expect(types.filter((e) => e === "MSI.InstallmentOverdue")).toHaveLength(4);
    expect(types.filter((e) => e === "MSI.PlanDefaulted")).toHaveLength(1);
  });

  it("a payment racing the overdue job: the installment ends paid, never both paid and overdue", async () => {
    const t = await setUp();
    for (let round = 0; round < 5; round++) {
      const plan = await createPlan(t.user, {
        customerId: t.customerId,
        total: "300.00",
        count: 3,
        startDate: "2027-01-10",
      });
      const [paid] = await Promise.all([
        pay(t.user, plan.id, 1, { amount: "100.00", formaPago: "03" }),
        dailyAt(new Date("2027-01-20T12:00:00Z"), t.tenant.id),
      ]);
      expect(paid.status).toBe(200);
      await paid.arrayBuffer();
      const read = (await (await api(`/v1/msi-plans/${plan.id}`, { token: t.user })).json()) as PlanBody;
      expect(read.installments[0]).toMatchObject({ status: "paid", paidAmount: "100.00" });
    }
  });
});

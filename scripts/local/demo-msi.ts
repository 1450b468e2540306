// The demo tenant's MSI plan for `npm start` (issue 14): three installments of 3,000.00 MXN for the
// first demo customer — one paid, one overdue, one due in two days — laid out from today in the
// tenant's zone on every start (the plan's id is fixed, so it is replaced, never duplicated), so the
// reminders cron always has something to send.
import { addMonthsClamped, localDate, msiSchedule } from "../../core/msi/schedule.ts";
import { inTenantTransaction } from "../../db/seed/tenant-transaction.ts";

export const DEMO_MSI_PLAN_ID = "b1516273-0000-4000-8000-000000000901";
const DEMO_PAYMENT_ID = "b1516273-0000-4000-8000-000000000902";

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export async function seedDemoMsi(ownerUrl: string, tenantId: string, now = new Date()): Promise<{ planId: string }> {
  await inTenantTransaction(ownerUrl, tenantId, async (client) => {
    const tz =
      ((await client.query("select timezone from tenants where id = $1", [tenantId])).rows[0] as { timezone?: string })
        ?.timezone ?? "America/Mexico_City";
    const customer = (
      await client.query("select id from customers where tenant_id = $1 order by created_at, id limit 1", [tenantId])
    ).rows[0] as { id: string } | undefined;
    if (!customer) return;
    const dueSoon = addDays(localDate(now, tz), 2);
    const start = addMonthsClamped(dueSoon, -2);
    const schedule = msiSchedule("9000.00", 3, start);
    await client.query("delete from msi_payment_plans where id = $1", [DEMO_MSI_PLAN_ID]);
    await client.query(
      `insert into msi_payment_plans (id, tenant_id, customer_id, total_amount, months, first_due_date)
       values ($1, $2, $3, 9000.00, 3, $4)`,
      [DEMO_MSI_PLAN_ID, tenantId, customer.id, start],
    );
    for (const i of schedule) {
      const paid = i.number === 1;
      await client.query(
        `insert into msi_installments (tenant_id, plan_id, number, due_date, amount, paid_amount, status, paid_at, overdue_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          tenantId,
          DEMO_MSI_PLAN_ID,
          i.number,
          i.dueDate,
          i.amount,
          paid ? i.amount : "0",
          paid ? "paid" : i.number === 2 ? "overdue" : "pending",
          paid ? `${i.dueDate}T16:00:00Z` : null,
          i.number === 2 ? `${addDays(i.dueDate, 1)}T12:00:00Z` : null,
        ],
      );
    }
    const first = schedule[0]!;
    await client.query(
      `insert into msi_payments (id, tenant_id, plan_id, installment_number, amount, forma_pago, reference, paid_at)
       values ($1, $2, $3, 1, $4, '03', 'SPEI demo', $5)`,
      [DEMO_PAYMENT_ID, tenantId, DEMO_MSI_PLAN_ID, first.amount, `${first.dueDate}T16:00:00Z`],
    );
    await client.query(
      `insert into msi_payment_allocations (tenant_id, payment_id, installment_id, amount)
       select $1, $2, id, amount from msi_installments where plan_id = $3 and number = 1`,
      [tenantId, DEMO_PAYMENT_ID, DEMO_MSI_PLAN_ID],
    );
  });
  return { planId: DEMO_MSI_PLAN_ID };
}

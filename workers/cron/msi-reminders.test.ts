import { describe, expect, it } from "vitest";
import { Logger } from "../../core/logging/logger.ts";
import type { RecordedEmail } from "../../scripts/local/email-provider.ts";
import { consumeQuota, pushTenantLimits } from "../../durable-objects/tenant-limiter-client.ts";
import { loadConfig } from "../../platform/env.ts";
import { testEnv } from "../../test/support/env.ts";
import { api, createTenant, ownerSql, tokenFor, type TestTenant } from "../../test/support/harness.ts";
import { seedCustomer } from "../../test/support/proposal-fixtures.ts";
import { connectChannel, fakeRequests, LUPITA } from "../../test/support/whatsapp-send.ts";
import type { PlanBody } from "../msi/msi-schema.ts";
import { runMsiReminders } from "./msi-reminders.ts";

// MSI reminders (issue 14): each kind once per installment however the runs repeat or overlap,
// failed sends retried, WhatsApp templates when the customer has a number and the tenant a
// channel (counted against the quota), email otherwise, and the morning summary once a day.

const logger = new Logger({ service: "crm-msi-reminders-test", environment: "test", level: "error" });
const emailUrl = (testEnv as unknown as { TEST_EMAIL_PROVIDER_URL?: string }).TEST_EMAIL_PROVIDER_URL;

async function remind(at: string, tenantId: string) {
  const pending: Promise<unknown>[] = [];
  const result = await runMsiReminders(testEnv, loadConfig(testEnv), logger, (p) => pending.push(p), new Date(at), {
    tenantIds: [tenantId],
  });
  await Promise.allSettled(pending);
  return result;
}

async function asTenant<T>(tenantId: string, query: ReturnType<typeof ownerSql>): Promise<T[]> {
  const [, rows] = await ownerSql.transaction([ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`, query]);
  return rows as T[];
}

interface ReminderRow {
  number: number;
  kind: string;
  status: string;
  attempts: number;
  channel: string | null;
  last_error: string | null;
}

function reminders(tenantId: string) {
  return asTenant<ReminderRow>(
    tenantId,
    ownerSql`select i.number, r.kind, r.status, r.attempts, r.channel, r.last_error from msi_reminders r
      join msi_installments i on i.id = r.installment_id where r.tenant_id = ${tenantId}
      order by i.number, array_position(array['before','due','overdue_1','overdue_7'], r.kind)`,
  );
}

async function emailsTo(address: string): Promise<RecordedEmail[]> {
  if (!emailUrl) throw new Error("TEST_EMAIL_PROVIDER_URL is not set: run the suites with `npm test`");
  return (await (await fetch(`${emailUrl}/__requests?to=${encodeURIComponent(address)}`)).json()) as RecordedEmail[];
}

interface Setup {
  tenant: TestTenant;
  token: string;
  customerId: string;
  email: string;
}

async function setUp(
  opts: { tenant?: TestTenant; token?: string; email?: boolean; whatsapp?: string } = {},
): Promise<Setup> {
  const tenant = opts.tenant ?? (await createTenant({ plan: "pro" }));
  const token = opts.token ?? (await tokenFor(tenant, { role: "manager" }));
  const customerId = await seedCustomer(tenant.id, "CLINICA SAN RAFAEL");
  const email = `cobranza-${customerId.slice(0, 8)}@cliente.test`;
  await asTenant(
    tenant.id,
    ownerSql`update customers set email = ${opts.email === false ? null : email}, whatsapp_phone = ${opts.whatsapp ?? null}
      where id = ${customerId}`,
  );
  return { tenant, token, customerId, email };
}

async function createPlan(s: Setup, total: string, count: number, startDate: string): Promise<PlanBody> {
  const res = await api("/v1/msi-plans", {
    method: "POST",
    token: s.token,
    json: { customerId: s.customerId, total, count, startDate },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as PlanBody;
}

describe("MSI reminders by email", () => {
  it("sends each kind once per installment, whether runs repeat or overlap, from the local 08:00", async () => {
    const s = await setUp();
    await createPlan(s, "7407.36", 6, "2027-01-15");

    // 07:00 in Mexico City: too early.
    expect((await remind("2027-01-12T13:00:00Z", s.tenant.id)).tenantsRun).toBe(0);
    // 09:00, three days before: `before`, once however often it runs.
    expect(await remind("2027-01-12T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 1, sent: 1 });
    expect(await remind("2027-01-12T16:00:00Z", s.tenant.id)).toMatchObject({ claimed: 0, sent: 0 });
    expect(await remind("2027-01-13T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 0, sent: 0 });
    // Two runs at once on each later day.
    for (const day of ["2027-01-15", "2027-01-16", "2027-01-22"]) {
      const both = await Promise.all([
        remind(`${day}T15:00:00Z`, s.tenant.id),
        remind(`${day}T15:00:00Z`, s.tenant.id),
      ]);
      expect(both.map((r) => r.sent).sort()).toEqual([0, 1]);
      expect(await remind(`${day}T20:00:00Z`, s.tenant.id)).toMatchObject({ claimed: 0 });
    }
    expect(await remind("2027-01-29T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 0 });

    expect((await reminders(s.tenant.id)).map((r) => [r.number, r.kind, r.status, r.attempts, r.channel])).toEqual([
      [1, "before", "sent", 1, "email"],
      [1, "due", "sent", 1, "email"],
      [1, "overdue_1", "sent", 1, "email"],
      [1, "overdue_7", "sent", 1, "email"],
    ]);
    const mails = await emailsTo(s.email);
    expect(mails.map((m) => m.status)).toEqual([200, 200, 200, 200]);
    const texts = mails.map((m) => (m.body as { text: string }).text);
    expect(texts[0]).toContain("Recordatorio: tu mensualidad 1 de 6 por $1,234.56 MXN vence el 15 de enero de 2027.");
    expect(texts[1]).toContain("vence hoy, 15 de enero de 2027.");
    expect(texts[2]).toContain("venció el 15 de enero de 2027 y sigue pendiente de pago.");
    expect(texts[3]).toContain("lleva 7 días sin pagarse");
    expect(mails.every((m) => m.authorized && m.idempotencyKey?.startsWith("msi-reminder/"))).toBe(true);

    const activities = await asTenant<{ type: string; body: string }>(
      s.tenant.id,
      ownerSql`select type, body from activities where tenant_id = ${s.tenant.id} and customer_id = ${s.customerId} order by occurred_at`,
    );
    expect(activities.map((a) => a.type)).toEqual(["email", "email", "email", "email"]);
    expect(activities[0]!.body).toContain("vence el 15 de enero de 2027");
  });

  it("retries a failed send at the next run, then sends it once; a paid installment is not reminded", async () => {
    const s = await setUp();
    const plan = await createPlan(s, "3000.00", 3, "2027-03-31");
    await fetch(`${emailUrl}/__fail`, { method: "POST", body: JSON.stringify({ to: s.email, status: 503 }) });

    expect(await remind("2027-03-28T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 1, sent: 0, failed: 1 });
    expect(await reminders(s.tenant.id)).toMatchObject([
      { kind: "before", status: "failed", attempts: 1, last_error: expect.stringContaining("email: unavailable (503") },
    ]);
    expect(await remind("2027-03-28T16:00:00Z", s.tenant.id)).toMatchObject({ claimed: 1, sent: 1 });
    expect(await remind("2027-03-28T17:00:00Z", s.tenant.id)).toMatchObject({ claimed: 0 });
    expect(await reminders(s.tenant.id)).toMatchObject([{ kind: "before", status: "sent", attempts: 2 }]);
    expect((await emailsTo(s.email)).map((m) => m.status)).toEqual([503, 200]);

    // Paid before its due date: nothing more about installment 1.
    const paid = await api(`/v1/msi-plans/${plan.id}/installments/1/pay`, {
      method: "POST",
      token: s.token,
      json: { amount: "1000.00", formaPago: "03", paidAt: "2027-03-30T18:00:00Z" },
    });
    expect(paid.status).toBe(200);
    expect(await remind("2027-03-31T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 0 });
    expect(await remind("2027-04-01T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 0 });
    // Installment 2 (Apr 30) gets its own `before`.
    expect(await remind("2027-04-27T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 1, sent: 1 });
    expect((await emailsTo(s.email)).length).toBe(3);
  });

  it("records a customer without any contact as failed with the reason, and stops after 5 tries", async () => {
    const s = await setUp({ email: false });
    await createPlan(s, "900.00", 3, "2027-05-10");
    for (let hour = 14; hour < 22; hour += 1)
      await remind(`2027-05-07T${String(hour).padStart(2, "0")}:00:00Z`, s.tenant.id);
    expect(await reminders(s.tenant.id)).toMatchObject([
      {
        kind: "before",
        status: "failed",
        attempts: 5,
        channel: null,
        last_error: expect.stringMatching(/^no_contact: /),
      },
    ]);
  });
});

describe("MSI reminders by WhatsApp", () => {
  it("sends the kind's template through the tenant's channel, counted against whatsapp:send; a spent quota is retried", async () => {
    const ch = await connectChannel("meta");
    const s = await setUp({
      tenant: ch.tenant,
      token: await tokenFor(ch.tenant, { role: "manager" }),
      whatsapp: `+${LUPITA}`,
    });
    await createPlan(s, "1500.00", 3, "2027-06-15");

    expect(await remind("2027-06-12T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 1, sent: 1 });
    expect(await remind("2027-06-12T16:00:00Z", s.tenant.id)).toMatchObject({ claimed: 0 });
    const sent = await fakeRequests("meta", ch.fakeKey);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      to: LUPITA,
      type: "template",
      template: {
        name: "msi_recordatorio_previo",
        language: { code: "es_MX" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "CLINICA SAN RAFAEL" },
              { type: "text", text: "1 de 3" },
              { type: "text", text: "$500.00 MXN" },
              { type: "text", text: "15 de junio de 2027" },
            ],
          },
        ],
      },
    });
    expect(await reminders(s.tenant.id)).toMatchObject([{ kind: "before", status: "sent", channel: "whatsapp" }]);
    const activities = await asTenant<{ type: string }>(
      s.tenant.id,
      ownerSql`select type from activities where tenant_id = ${s.tenant.id} and customer_id = ${s.customerId}`,
    );
    expect(activities).toEqual([{ type: "whatsapp" }]);

    // The day's quota spent: the `due` reminder is refused without a provider call, and retried.
    const left = await consumeQuota(testEnv, s.tenant.id, "whatsapp:send", 0);
    await consumeQuota(testEnv, s.tenant.id, "whatsapp:send", left.remaining);
    expect(await remind("2027-06-15T15:00:00Z", s.tenant.id)).toMatchObject({ claimed: 1, sent: 0, failed: 1 });
    expect(await remind("2027-06-15T16:00:00Z", s.tenant.id)).toMatchObject({ claimed: 1, sent: 0, failed: 1 });
    expect(await reminders(s.tenant.id)).toMatchObject([
      { kind: "before", status: "sent" },
      { kind: "due", status: "failed", channel: "whatsapp", last_error: expect.stringMatching(/^quota: /) },
    ]);
    expect(await fakeRequests("meta", ch.fakeKey)).toHaveLength(1);

    await pushTenantLimits(testEnv, s.tenant.id, {
      plan: "free",
      overrides: { "whatsapp:send": left.limit + 10 },
      timezone: "America/Mexico_City",
    });
    expect(await remind("2027-06-15T17:00:00Z", s.tenant.id)).toMatchObject({ claimed: 1, sent: 1 });
    expect(await remind("2027-06-15T18:00:00Z", s.tenant.id)).toMatchObject({ claimed: 0 });
    const all = await fakeRequests("meta", ch.fakeKey);
    expect(all.map((r) => (r.body as { template: { name: string } }).template.name)).toEqual([
      "msi_recordatorio_previo",
      "msi_recordatorio_vence_hoy",
    ]);
  });

  it("uses email when the customer has no WhatsApp number, even with a channel", async () => {
    const ch = await connectChannel("meta");
    const s = await setUp({ tenant: ch.tenant, token: await tokenFor(ch.tenant, { role: "manager" }) });
    await createPlan(s, "1500.00", 3, "2027-06-15");
    expect(await remind("2027-06-15T15:00:00Z", s.tenant.id)).toMatchObject({ sent: 1 });
    expect(await reminders(s.tenant.id)).toMatchObject([{ kind: "due", channel: "email" }]);
    expect(await fakeRequests("meta", ch.fakeKey)).toHaveLength(0);
  });
});

describe("MSI morning summary", () => {
  it("is written once per tenant and local day, with due today, overdue and collected yesterday in MXN", async () => {
    const s = await setUp();
    await asTenant(s.tenant.id, ownerSql`update tenants set timezone = 'America/Tijuana' where id = ${s.tenant.id}`);
    const a = await createPlan(s, "3000.00", 3, "2027-02-10");
    await createPlan(s, "600.00", 3, "2027-03-10");
    const paid = await api(`/v1/msi-plans/${a.id}/installments/1/pay`, {
      method: "POST",
      token: s.token,
      json: { amount: "400.00", formaPago: "01", paidAt: "2027-03-10T07:30:00Z" }, // Mar 9, 23:30 in Tijuana
    });
    expect(paid.status).toBe(200);

    // 07:00 in Tijuana (PST): nothing yet; 08:00: the summary, once.
    expect(await remind("2027-03-10T15:00:00Z", s.tenant.id)).toMatchObject({ tenantsRun: 0, summaries: 0 });
    expect(await remind("2027-03-10T16:00:00Z", s.tenant.id)).toMatchObject({ summaries: 1 });
    const again = await Promise.all([
      remind("2027-03-10T17:00:00Z", s.tenant.id),
      remind("2027-03-10T17:00:00Z", s.tenant.id),
    ]);
    expect(again.map((r) => r.summaries)).toEqual([0, 0]);
    expect(await remind("2027-03-11T16:00:00Z", s.tenant.id)).toMatchObject({ summaries: 1 });

    const events = await asTenant<{ subject: string; data: unknown }>(
      s.tenant.id,
      ownerSql`select event->>'subject' as subject, event->'data' as data from outbox
        where tenant_id = ${s.tenant.id} and type = 'MSI.MorningSummary' order by event->>'subject'`,
    );
    expect(events).toEqual([
      {
        subject: "2027-03-10",
        data: {
          date: "2027-03-10",
          currency: "MXN",
          dueToday: { count: 2, amount: "1200.00" },
          overdue: { count: 1, amount: "600.00" },
          collectedYesterday: { date: "2027-03-09", count: 1, amount: "400.00" },
        },
      },
      {
        subject: "2027-03-11",
        data: {
          date: "2027-03-11",
          currency: "MXN",
          dueToday: { count: 0, amount: "0.00" },
          overdue: { count: 3, amount: "1800.00" },
          collectedYesterday: { date: "2027-03-10", count: 0, amount: "0.00" },
        },
      },
    ]);
  });
});

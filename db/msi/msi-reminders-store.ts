import { sql } from "drizzle-orm";
import { buildEvent } from "../../core/events/cloudevents.ts";
import type { MsiReminderKind } from "../../core/msi/msi-status.ts";
import { REMINDER_MAX_ATTEMPTS, STALE_CLAIM_MS } from "../../core/msi/reminders.ts";
import { rows, type Statement } from "../statement.ts";

// MSI reminders (issue 14) under the tenant's RLS: what is open to remind, the claims that make each
// (installment, kind) go out once, the outcome of a send (with its timeline activity), and the
// tenant's morning summary. The rules of which kind is current are core/msi/reminders.ts; the run
// is workers/cron/msi-reminders.ts.

/** Open installments (pending or overdue, something left to pay) of active or defaulted plans. */
const OPEN_INSTALLMENT = sql`i.status in ('pending', 'overdue') and i.paid_amount < i.amount`;
const LIVE_PLAN = sql`p.status in ('active', 'defaulted')`;
/** What is owed on an installment, in MXN (plans in another currency carry their exchange rate). */
const OUTSTANDING_MXN = sql`round((i.amount - i.paid_amount) * coalesce(p.exchange_rate, 1), 2)`;

export interface ReminderCandidate {
  installmentId: string;
  planId: string;
  number: number;
  count: number;
  dueDate: string;
  /** Decimal string, MXN. */
  outstandingMxn: string;
  customerId: string;
  customerName: string;
  email: string | null;
  /** customers.whatsapp_phone, else phone. */
  whatsappNumber: string | null;
}

export interface ReminderContext {
  settings: unknown;
  /** The tenant's oldest live WhatsApp channel, if any (the one reminders go out through). */
  channelId: string | null;
}

/** The tenant's settings and live channel, for choosing texts and channels. */
export function reminderContext(tenantId: string): Statement<ReminderContext[]> {
  return rows(
    sql`select t.settings,
          (select c.id from whatsapp_channels c where c.tenant_id = t.id and c.deleted_at is null
           order by c.created_at, c.id limit 1) as channel_id
        from tenants t where t.id = ${tenantId}`,
    (r) => ({ settings: r.settings, channelId: r.channel_id === null ? null : String(r.channel_id) }),
  );
}

/** Open installments due between `from` and `to` (inclusive), with their customer's contact. */
export function reminderCandidates(tenantId: string, from: string, to: string): Statement<ReminderCandidate[]> {
  return rows(
    sql`select i.id, i.plan_id, i.number, p.months, i.due_date::text as due_date, ${OUTSTANDING_MXN}::text as outstanding,
               c.id as customer_id, c.razon_social, c.email, coalesce(c.whatsapp_phone, c.phone) as whatsapp_number
        from msi_installments i
        join msi_payment_plans p on p.id = i.plan_id
        join customers c on c.id = p.customer_id
        where i.tenant_id = ${tenantId} and ${OPEN_INSTALLMENT} and ${LIVE_PLAN}
          and i.due_date between ${from}::date and ${to}::date
        order by i.due_date, i.id`,
    (r) => ({
      installmentId: String(r.id),
      planId: String(r.plan_id),
      number: Number(r.number),
      count: Number(r.months),
      dueDate: String(r.due_date),
      outstandingMxn: String(r.outstanding),
      customerId: String(r.customer_id),
      customerName: String(r.razon_social),
      email: r.email === null ? null : String(r.email),
      whatsappNumber: r.whatsapp_number === null ? null : String(r.whatsapp_number),
    }),
  );
}

export interface ReminderClaim {
  id: string;
  installmentId: string;
  kind: MsiReminderKind;
  /** This claim's number (1 = first send); the outcome is recorded only for it. */
  attempts: number;
}

/**
 * Claims reminders to send: a new (installment, kind) row, or a row taken back — `failed` with
 * attempts left (a quota refusal does not use one up), or `claimed` by a sender that has not
 * recorded an outcome for STALE_CLAIM_MS (it died). Only while the installment is still open and
 * its plan active or defaulted. Concurrent runs: the unique (installment, kind) index makes one
 * insert win, and the guarded update re-checks the row it waited for, so each claim is held by
 * one run. Returns the claims this batch made.
 */
export function claimReminders(
  tenantId: string,
  wanted: readonly { installmentId: string; kind: MsiReminderKind }[],
  now: Date,
): Statement<ReminderClaim[]> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const ids = `{${wanted.map((w) => w.installmentId).join(",")}}`;
  const kinds = `{${wanted.map((w) => w.kind).join(",")}}`;
  return rows(
    sql`with wanted as (
          select w.installment_id, w.kind from unnest(${ids}::uuid[], ${kinds}::text[]) as w(installment_id, kind)
          join msi_installments i on i.id = w.installment_id and i.tenant_id = ${tenantId}
          join msi_payment_plans p on p.id = i.plan_id
          where ${OPEN_INSTALLMENT} and ${LIVE_PLAN}
        ), inserted as (
          insert into msi_reminders (tenant_id, installment_id, kind, status, attempts, claimed_at)
          select ${tenantId}::uuid, w.installment_id, w.kind, 'claimed', 1, ${at} from wanted w
          on conflict (installment_id, kind) do nothing
          returning id, installment_id, kind, attempts
        ), retaken as (
          update msi_reminders r set status = 'claimed', attempts = r.attempts + 1, claimed_at = ${at}
          from wanted w
          where r.tenant_id = ${tenantId} and r.installment_id = w.installment_id and r.kind = w.kind
            and ((r.status = 'failed' and (r.attempts < ${REMINDER_MAX_ATTEMPTS} or r.last_error like 'quota:%'))
              or (r.status = 'claimed' and r.claimed_at < ${at} - make_interval(secs => ${STALE_CLAIM_MS / 1000})))
          returning r.id, r.installment_id, r.kind, r.attempts
        )
        select * from inserted union all select * from retaken`,
    (r) => ({
      id: String(r.id),
      installmentId: String(r.installment_id),
      kind: String(r.kind) as MsiReminderKind,
      attempts: Number(r.attempts),
    }),
  );
}

export interface SentReminder {
  channel: "whatsapp" | "email";
  providerMessageId: string;
  customerId: string;
  subject: string;
  body: string;
  metadata: Record<string, unknown>;
}

/**
 * A sent reminder: `sent` with the provider's id, and its activity on the customer's timeline
 * (id derived from the reminder's, so recording twice leaves one). Only for the claim that sent it.
 */
export function recordReminderSent(tenantId: string, claim: ReminderClaim, sent: SentReminder, now: Date) {
  const at = sql`${now.toISOString()}::timestamptz`;
  return [
    rows(
      sql`update msi_reminders set status = 'sent', channel = ${sent.channel}, sent_at = ${at},
            provider_message_id = ${sent.providerMessageId}, last_error = null
          where tenant_id = ${tenantId} and id = ${claim.id} and status = 'claimed' and attempts = ${claim.attempts}
          returning id`,
      (r) => String(r.id),
    ),
    rows(
      sql`insert into activities (id, tenant_id, type, customer_id, subject, body, occurred_at, metadata)
          select md5('msi-reminder/' || r.id::text)::uuid, r.tenant_id, ${sent.channel}, ${sent.customerId}::uuid,
                 ${sent.subject}, ${sent.body}, ${at}, ${JSON.stringify(sent.metadata)}::jsonb
          from msi_reminders r where r.tenant_id = ${tenantId} and r.id = ${claim.id} and r.status = 'sent'
          on conflict (id) do nothing
          returning id`,
      (r) => String(r.id),
    ),
  ] as const;
}

/**
 * A send that did not happen: `failed` with why (`quota: …` is retried without using up an
 * attempt; see claimReminders). Only for the claim that tried.
 */
export function recordReminderFailed(
  tenantId: string,
  claim: ReminderClaim,
  channel: "whatsapp" | "email" | null,
  error: string,
): Statement<string[]> {
  return rows(
    sql`update msi_reminders set status = 'failed', channel = ${channel}, last_error = ${error.slice(0, 500)}
        where tenant_id = ${tenantId} and id = ${claim.id} and status = 'claimed' and attempts = ${claim.attempts}
        returning id`,
    (r) => String(r.id),
  );
}

export interface MorningSummary {
  id: string;
  bytes: number;
  dueTodayCount: number;
  dueTodayAmount: string;
  overdueCount: number;
  overdueAmount: string;
  collectedYesterdayCount: number;
  collectedYesterdayAmount: string;
}

/**
 * MSI.MorningSummary for the tenant's local `today`: open installments due today and overdue (count
 * and what is owed, MXN) and payments received yesterday (local calendar). One per tenant and day
 * whatever the number of runs — the event id is derived from (tenant, date) — and none for a tenant
 * with no live plan and nothing collected. Returns the row only when this batch wrote it.
 */
export function morningSummary(
  tenantId: string,
  timezone: string,
  today: string,
  yesterday: string,
  now: Date,
): Statement<MorningSummary[]> {
  const envelope = buildEvent({ type: "MSI.MorningSummary", tenantId, context: "msi", data: null, time: now });
  return rows(
    sql`with open_rows as (
          select i.due_date, ${OUTSTANDING_MXN} as owed
          from msi_installments i join msi_payment_plans p on p.id = i.plan_id
          where i.tenant_id = ${tenantId} and ${OPEN_INSTALLMENT} and ${LIVE_PLAN} and i.due_date <= ${today}::date
        ), open_sums as (
          select count(*) filter (where due_date = ${today}::date) as due_count,
                 coalesce(sum(owed) filter (where due_date = ${today}::date), 0)::numeric(14, 2) as due_amount,
                 count(*) filter (where due_date < ${today}::date) as overdue_count,
                 coalesce(sum(owed) filter (where due_date < ${today}::date), 0)::numeric(14, 2) as overdue_amount
          from open_rows
        ), collected as (
          select count(*) as n, coalesce(sum(round(m.amount * coalesce(p.exchange_rate, 1), 2)), 0)::numeric(14, 2) as amount
          from msi_payments m join msi_payment_plans p on p.id = m.plan_id
          where m.tenant_id = ${tenantId} and (m.paid_at at time zone ${timezone})::date = ${yesterday}::date
        ), summary as (
          select md5(${tenantId}::text || '/msi-morning-summary/' || ${today})::uuid as id, jsonb_build_object(
            'date', ${today}::text, 'currency', 'MXN',
            'dueToday', jsonb_build_object('count', o.due_count, 'amount', o.due_amount::text),
            'overdue', jsonb_build_object('count', o.overdue_count, 'amount', o.overdue_amount::text),
            'collectedYesterday', jsonb_build_object('date', ${yesterday}::text, 'count', c.n, 'amount', c.amount::text)) as data
          from open_sums o, collected c
          where c.n > 0 or exists (select 1 from msi_payment_plans p where p.tenant_id = ${tenantId} and ${LIVE_PLAN})
        )
        insert into outbox (id, tenant_id, type, event)
        select s.id, ${tenantId}::uuid, 'MSI.MorningSummary',
               ${JSON.stringify(envelope)}::jsonb || jsonb_build_object('id', s.id, 'subject', ${today}::text, 'data', s.data)
        from summary s
        on conflict (id) do nothing
        returning id, octet_length(event::text) as bytes, event->'data' as data`,
    (r) => {
      const d = r.data as {
        dueToday: { count: number; amount: string };
        overdue: { count: number; amount: string };
        collectedYesterday: { count: number; amount: string };
      };
      return {
        id: String(r.id),
        bytes: Number(r.bytes),
        dueTodayCount: Number(d.dueToday.count),
        dueTodayAmount: d.dueToday.amount,
        overdueCount: Number(d.overdue.count),
        overdueAmount: d.overdue.amount,
        collectedYesterdayCount: Number(d.collectedYesterday.count),
        collectedYesterdayAmount: d.collectedYesterday.amount,
      };
    },
  );
}

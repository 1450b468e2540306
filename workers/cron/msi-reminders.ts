import { normalizePhone } from "../../core/contacts/phone.ts";
import type { Logger } from "../../core/logging/logger.ts";
import { emailSendRequest, parseEmailResponse } from "../../core/messaging/email.ts";
import {
  addDays,
  currentReminderKind,
  LAST_REMINDER_DAY,
  localHour,
  MAX_REMINDER_DAYS_BEFORE,
  REMINDER_MORNING_HOUR,
  reminderDaysBefore,
  reminderMessage,
  twilioContentSid,
  type ReminderMessage,
} from "../../core/msi/reminders.ts";
import { localDate } from "../../core/msi/schedule.ts";
import { formatMoneyMx } from "../../core/proposals/totals.ts";
import {
  claimReminders,
  morningSummary,
  recordReminderFailed,
  recordReminderSent,
  reminderCandidates,
  reminderContext,
  type ReminderCandidate,
  type ReminderClaim,
} from "../../db/msi/msi-reminders-store.ts";
import { NIL_UUID } from "../../db/tenant-reference.ts";
import { listActiveTenants } from "../../db/tenants/tenant-store.ts";
import { getChannel, type ChannelRow } from "../../db/whatsapp/channel-store.ts";
import type { Config, Env } from "../../platform/env.ts";
import { relayOutboxRows } from "../../platform/outbox-relay.ts";
import { systemWork, tenantWork } from "../../platform/work.ts";
import { sendTemplateFromSystem } from "../whatsapp/send-template.ts";

// MSI reminders and the morning summary (issue 14), hourly (workers/cron/scheduled.ts) for every
// tenant whose local time is 08:00 or later. Per tenant:
// 1. one read: settings, live WhatsApp channel, open installments near their due date;
// 2. one write: the claims of the kinds current today (core/msi/reminders.ts), and the day's
//    MSI.MorningSummary (once per tenant and local day);
// 3. per claim: the send (a WhatsApp template when the customer has a number and the tenant a
//    channel, else an email), then its outcome (`sent` + a timeline activity, or `failed` + why).
// The claim is committed before the send, so a second or overlapping run finds nothing to send; a
// failed send is taken back by a later run. A sender that dies between the provider's answer and
// the record leaves a `claimed` row that is taken again after 15 minutes — the one case a message
// can go twice for WhatsApp (the email is keyed by the reminder, so Resend answers the first).

export interface MsiReminderResult {
  /** Active tenants, and those past their local morning hour (the ones run). */
  tenants: number;
  tenantsRun: number;
  claimed: number;
  sent: number;
  failed: number;
  /** MSI.MorningSummary events written (one per tenant and local day). */
  summaries: number;
  tenantErrors: number;
}

export interface MsiReminderOptions {
  tenantIds?: readonly string[];
}

/** Sends in flight per tenant. */
const SEND_CONCURRENCY = 4;
const EMAIL_TIMEOUT_MS = 10_000;
/** How the conversation names the sender of a reminder. */
const SYSTEM_SENDER = "system:msi-reminders";

export async function runMsiReminders(
  env: Env,
  config: Config,
  logger: Logger,
  waitUntil: (p: Promise<unknown>) => void,
  now = new Date(),
  options: MsiReminderOptions = {},
): Promise<MsiReminderResult> {
  const [list] = await systemWork(config, waitUntil).run([listActiveTenants(options.tenantIds)]);
  const result: MsiReminderResult = {
    tenants: list.length,
    tenantsRun: 0,
    claimed: 0,
    sent: 0,
    failed: 0,
    summaries: 0,
    tenantErrors: 0,
  };
  for (const tenant of list) {
    if (localHour(now, tenant.timezone) < REMINDER_MORNING_HOUR) continue;
    result.tenantsRun += 1;
    try {
      await remindTenant(env, config, logger.with({ tenantId: tenant.id }), waitUntil, tenant, now, result);
    } catch (err) {
      // One tenant's failure must not stop the others; the next hourly run tries again.
      result.tenantErrors += 1;
      logger.with({ tenantId: tenant.id }).error("MSI reminders failed for tenant", {}, err);
    }
  }
  if (result.claimed > 0 || result.summaries > 0 || result.tenantErrors > 0)
    logger.info("MSI reminders", { ...result });
  return result;
}

async function remindTenant(
  env: Env,
  config: Config,
  logger: Logger,
  waitUntil: (p: Promise<unknown>) => void,
  tenant: { id: string; timezone: string },
  now: Date,
  result: MsiReminderResult,
): Promise<void> {
  const uow = tenantWork(config, tenant.id, undefined, waitUntil);
  const today = localDate(now, tenant.timezone);
  const yesterday = addDays(today, -1);
  const [contexts, candidates] = await uow.run([
    reminderContext(tenant.id),
    reminderCandidates(tenant.id, addDays(today, -LAST_REMINDER_DAY), addDays(today, MAX_REMINDER_DAYS_BEFORE)),
  ]);
  const context = contexts[0];
  if (!context) return;
  const daysBefore = reminderDaysBefore(context.settings);
  const wanted = candidates.flatMap((c) => {
    const kind = currentReminderKind(c.dueDate, today, daysBefore);
    return kind ? [{ installmentId: c.installmentId, kind }] : [];
  });

  const [claims, summaries, channels] = await uow.run([
    claimReminders(tenant.id, wanted, now),
    morningSummary(tenant.id, tenant.timezone, today, yesterday, now),
    getChannel(tenant.id, context.channelId ?? NIL_UUID),
  ]);
  result.claimed += claims.length;

  for (const s of summaries) {
    const fields = {
      date: today,
      currency: "MXN",
      dueToday: { count: s.dueTodayCount, amount: s.dueTodayAmount },
      overdue: { count: s.overdueCount, amount: s.overdueAmount },
      collectedYesterday: { count: s.collectedYesterdayCount, amount: s.collectedYesterdayAmount },
    };
    if (s.overdueCount > 0) logger.warn("MSI morning summary: installments overdue", fields);
    else logger.info("MSI morning summary", fields);
  }
  result.summaries += summaries.length;
  if (summaries.length > 0) await relayOutboxRows(env, config, logger, summaries, waitUntil);

  const byInstallment = new Map(candidates.map((c) => [c.installmentId, c]));
  const sendContext: SendContext = {
    env,
    config,
    logger,
    tenantId: tenant.id,
    settings: context.settings,
    channel: channels[0] ?? null,
    today,
  };
  const queue = [...claims];
  await Promise.all(
    Array.from({ length: Math.min(SEND_CONCURRENCY, queue.length) }, async () => {
      for (let claim = queue.shift(); claim; claim = queue.shift()) {
        const outcome = await sendReminder(sendContext, claim, byInstallment.get(claim.installmentId));
        const recorded = outcome.ok
          ? (await uow.run([...recordReminderSent(tenant.id, claim, outcome.sent, now)]))[0]
          : (await uow.run([recordReminderFailed(tenant.id, claim, outcome.channel, outcome.error)]))[0];
        if (recorded.length === 0)
          logger.warn("a reminder's claim was taken by another run before its outcome was recorded", {
            reminderId: claim.id,
          });
        if (outcome.ok) result.sent += 1;
        else {
          result.failed += 1;
          logger.warn("MSI reminder not sent", {
            reminderId: claim.id,
            kind: claim.kind,
            attempt: claim.attempts,
            channel: outcome.channel,
            reason: outcome.error,
          });
        }
      }
    }),
  );
}

type SendOutcome =
  | { ok: true; sent: Parameters<typeof recordReminderSent>[2] }
  | { ok: false; channel: "whatsapp" | "email" | null; error: string };

interface SendContext {
  env: Env;
  config: Config;
  logger: Logger;
  tenantId: string;
  settings: unknown;
  channel: ChannelRow | null;
  today: string;
}

/** One claimed reminder: the channel chosen and the send; never throws. */
async function sendReminder(
  ctx: SendContext,
  claim: ReminderClaim,
  c: ReminderCandidate | undefined,
): Promise<SendOutcome> {
  // Claimed for an installment the read did not see (paid and reopened meanwhile): not sent.
  if (!c) return { ok: false, channel: null, error: "gone: the installment is no longer open" };
  const message = reminderMessage({
    kind: claim.kind,
    customerName: c.customerName,
    number: c.number,
    count: c.count,
    amount: formatMoneyMx(c.outstandingMxn, "MXN"),
    dueDate: c.dueDate,
    today: ctx.today,
  });
  const metadata = {
    msiReminderId: claim.id,
    planId: c.planId,
    installmentId: c.installmentId,
    installmentNumber: c.number,
    kind: claim.kind,
    dueDate: c.dueDate,
  };
  const activity = { customerId: c.customerId, subject: message.subject, body: message.text };

  const phone = c.whatsappNumber ? normalizePhone(c.whatsappNumber) : null;
  const contentSid = ctx.channel?.provider === "twilio" ? twilioContentSid(ctx.settings, claim.kind) : null;
  if (ctx.channel && phone?.ok && (ctx.channel.provider !== "twilio" || contentSid)) {
    const out = await sendTemplateFromSystem(ctx.env, ctx.config, ctx.logger, {
      tenantId: ctx.tenantId,
      channel: ctx.channel,
      waId: phone.e164.slice(1),
      template: { ...message.template, ...(contentSid ? { contentSid } : {}) },
      sentBy: SYSTEM_SENDER,
    });
    if (!out.ok)
      return {
        ok: false,
        channel: "whatsapp",
        error: `${out.reason === "quota" ? "quota" : "whatsapp"}: ${out.detail}`,
      };
    return {
      ok: true,
      sent: {
        channel: "whatsapp",
        providerMessageId: out.providerMessageId,
        ...activity,
        metadata: { ...metadata, channel: "whatsapp", template: message.template.name },
      },
    };
  }
  if (c.email) return sendEmail(ctx, claim, c.email, message, activity, metadata);
  return { ok: false, channel: null, error: "no_contact: el cliente no tiene WhatsApp, teléfono ni correo" };
}

async function sendEmail(
  ctx: SendContext,
  claim: ReminderClaim,
  to: string,
  message: ReminderMessage,
  activity: { customerId: string; subject: string; body: string },
  metadata: Record<string, unknown>,
): Promise<SendOutcome> {
  const { EMAIL_API_KEY: apiKey, EMAIL_FROM: from, EMAIL_API_BASE_URL: baseUrl } = ctx.config;
  if (!apiKey || !from)
    return { ok: false, channel: "email", error: "email_not_configured: EMAIL_API_KEY and EMAIL_FROM are required" };
  const request = emailSendRequest(
    { baseUrl, apiKey },
    {
      from,
      to: [to],
      subject: message.subject,
      text: message.text,
      html: message.html,
      // The provider answers a repeated key with the first answer: a claim retaken after its sender
      // died mid-send does not mail twice.
      idempotencyKey: `msi-reminder/${claim.id}`,
    },
  );
  let answer;
  try {
    const res = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(EMAIL_TIMEOUT_MS),
    });
    answer = parseEmailResponse(res.status, await res.text());
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return { ok: false, channel: "email", error: `email: ${timedOut ? "timeout" : "network"}` };
  }
  if (!answer.ok)
    return {
      ok: false,
      channel: "email",
      error: `email: ${answer.kind} (${answer.httpStatus}${answer.message ? `: ${answer.message}` : ""})`,
    };
  return {
    ok: true,
    sent: {
      channel: "email",
      providerMessageId: answer.id,
      ...activity,
      metadata: { ...metadata, channel: "email" },
    },
  };
}
